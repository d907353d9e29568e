import { escapeHtml } from './escape.js';

export interface PageLinks {
  /** The same resource in other formats: label → href. */
  readonly formats: Readonly<Record<string, string>>;
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2733;background:#f5f7fa}
header{background:#1d2733;color:#fff;padding:14px 28px}header h1{font-size:18px;margin:0}
header nav a{color:#9cc9ff;margin-right:14px;font-size:13px}
main{padding:20px 28px;max-width:1100px}
section{background:#fff;border:1px solid #dde3ea;border-radius:6px;margin:0 0 18px;padding:14px 18px}
h2{font-size:15px;margin:0 0 10px;color:#44566c;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f4;vertical-align:top}
th{color:#5b6b7d;font-weight:600;width:220px}
.chips span{display:inline-block;background:#e8eef6;border-radius:12px;padding:3px 10px;margin:0 6px 6px 0;font-size:13px}
.chips b{color:#44566c;font-weight:600;margin-right:4px}
ol.timeline{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid #c5d3e3}
ol.timeline li{margin:0 0 10px;position:relative}ol.timeline li:before{content:"";position:absolute;left:-20px;top:6px;width:10px;height:10px;border-radius:50%;background:#4a8fe0}
time{color:#5b6b7d;font-size:12px;display:block}
.muted{color:#8a97a6}`;

/** The page frame every HTML response shares: title, links to the other formats, content. */
export function page(title: string, links: PageLinks, content: string): string {
  const nav = Object.entries(links.formats)
    .map(([label, href]) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><header><h1>${escapeHtml(title)}</h1><nav>${nav}</nav></header><main>${content}</main></body></html>`;
}
