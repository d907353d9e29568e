import { svg } from './dom.js';

/** Calls per hour, today as bars and yesterday as a line, as an inline SVG (no chart library). */
export function callsPerHourChart(today: readonly number[], yesterday: readonly number[]): SVGElement {
  const width = 640;
  const height = 160;
  const pad = 22;
  const max = Math.max(1, ...today, ...yesterday);
  const x = (hour: number) => pad + (hour * (width - pad * 2)) / 24;
  const y = (count: number) => height - pad - (count * (height - pad * 2)) / max;
  const slot = (width - pad * 2) / 24;
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Calls per hour: today ${today.reduce((a, b) => a + b, 0)}, yesterday ${yesterday.reduce((a, b) => a + b, 0)}` });
  chart.appendChild(svg('line', { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, stroke: '#c5d3e3' }));
  today.forEach((count, hour) => {
    if (count) chart.appendChild(svg('rect', { x: x(hour) + 2, y: y(count), width: slot - 4, height: height - pad - y(count), fill: '#4a8fe0' }, svg('title', {}, `${hour}:00 today: ${count}`)));
  });
  const points = yesterday.map((count, hour) => `${x(hour) + slot / 2},${y(count)}`).join(' ');
  chart.appendChild(svg('polyline', { points, fill: 'none', stroke: '#f0a020', 'stroke-width': 2 }));
  for (const hour of [0, 6, 12, 18]) chart.appendChild(svg('text', { x: x(hour), y: height - 6, 'font-size': 11, fill: '#5b6b7d' }, `${hour}:00`));
  chart.appendChild(svg('text', { x: pad, y: 12, 'font-size': 11, fill: '#5b6b7d' }, `max ${max}/h · bars today · line yesterday`));
  return chart;
}
