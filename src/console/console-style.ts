/**
 * The console's one stylesheet: system fonts only (nothing fetched from elsewhere), a grid that
 * folds to one column under 700 px (phones), tables that scroll sideways inside their card, and a
 * visible focus ring for keyboard users.
 */
export const CONSOLE_STYLE = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2733;background:#f5f7fa}
header{background:#1d2733;color:#fff;padding:10px 20px;display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center}
header h1{font-size:17px;margin:0 12px 0 0}
header nav{display:flex;flex-wrap:wrap;gap:4px 14px;flex:1}
header a,header button.link{color:#9cc9ff;font-size:14px;text-decoration:none;background:none;border:0;padding:4px 0;cursor:pointer;font:inherit}
header a[aria-current=page]{color:#fff;font-weight:600;border-bottom:2px solid #9cc9ff}
header select{font:inherit;font-size:13px;padding:2px 4px}
header .who{font-size:13px;color:#c5d3e3}
main{padding:16px 20px;max-width:1320px}
section,.card{background:#fff;border:1px solid #dde3ea;border-radius:6px;margin:0 0 14px;padding:12px 16px}
h2{font-size:14px;margin:0 0 10px;color:#44566c;text-transform:uppercase;letter-spacing:.04em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:0 0 14px}
.tile{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:10px 14px}
.tile b{display:block;font-size:28px;line-height:1.2}.tile span{color:#5b6b7d;font-size:13px}
.tile.wide{grid-column:span 2}@media (max-width:400px){.tile.wide{grid-column:auto}}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f4;vertical-align:top;white-space:nowrap}
th{color:#5b6b7d;font-weight:600}td.num,th.num{text-align:right}
tr.row-link{cursor:pointer}tr.row-link:hover,tr.row-link:focus{background:#eef5ff}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;background:#e8eef6}
.badge.Hold{background:#ffe6b3}.badge.Connected{background:#c9f0d0}.badge.Ringing,.badge.Queued{background:#d6e6ff}.badge.ended{background:#eee;color:#777}
ol.timeline{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid #c5d3e3}
ol.timeline li{margin:0 0 8px;position:relative}ol.timeline li:before{content:"";position:absolute;left:-20px;top:6px;width:10px;height:10px;border-radius:50%;background:#4a8fe0}
time{color:#5b6b7d;font-size:12px;display:block}
form.inline{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:0 0 12px}
label{display:flex;flex-direction:column;font-size:13px;color:#44566c;gap:2px}
input,select,button,textarea{font:inherit;padding:5px 8px;border:1px solid #b8c4d1;border-radius:4px;background:#fff}
button{background:#2f6fbf;color:#fff;border-color:#2f6fbf;cursor:pointer}button.secondary{background:#fff;color:#2f6fbf}
button:disabled{opacity:.5;cursor:default}
:focus-visible{outline:3px solid #f0a020;outline-offset:1px}
.controls{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}
.error{color:#a11;background:#fdecec;border:1px solid #f3c2c2;border-radius:4px;padding:6px 10px;margin:6px 0}
.notice{color:#185a2a;background:#e8f7ec;border:1px solid #b9e2c4;border-radius:4px;padding:6px 10px;margin:6px 0}
.muted{color:#8a97a6}.status{font-size:13px}
.signin{max-width:360px;margin:60px auto}.signin form{display:flex;flex-direction:column;gap:10px}
svg.chart{width:100%;max-width:640px;height:auto}
@media (max-width:700px){main{padding:10px}header{padding:8px 10px}.tile b{font-size:22px}th,td{padding:4px 5px}}
`;
