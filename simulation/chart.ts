/**
 * A small SVG line chart (two y-axes) for the simulation's timeline: authorize latency on the left, approval
 * rate on the right, one point per second. Plain SVG so it opens in any browser with no dependency.
 */
export interface Series {
  label: string;
  color: string;
  points: Array<[number, number]>;
  axis: 'left' | 'right';
}

const WIDTH = 900;
const HEIGHT = 420;
const PAD = { left: 70, right: 70, top: 50, bottom: 50 };

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
};
const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => XML_ENTITIES[c] ?? c);

export function lineChart(
  title: string,
  xLabel: string,
  left: { label: string; max: number },
  right: { label: string; max: number },
  series: Series[],
): string {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const xMax = Math.max(1, ...xs);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const px = (x: number) => PAD.left + (x / xMax) * plotW;
  const py = (y: number, max: number) => PAD.top + plotH - (Math.min(y, max) / Math.max(max, 1e-9)) * plotH;
  const ticks = (max: number, side: 'left' | 'right') =>
    [0, 0.25, 0.5, 0.75, 1]
      .map((f) => {
        const y = PAD.top + plotH - f * plotH;
        const x = side === 'left' ? PAD.left - 8 : WIDTH - PAD.right + 8;
        return (
          `<text x="${x}" y="${y + 4}" font-size="11" text-anchor="${side === 'left' ? 'end' : 'start'}">${(max * f).toFixed(max < 10 ? 1 : 0)}</text>` +
          (side === 'left'
            ? `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#eee"/>`
            : '')
        );
      })
      .join('');
  const lines = series
    .map((s) => {
      const max = s.axis === 'left' ? left.max : right.max;
      const d = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y, max).toFixed(1)}`).join(' ');
      return `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${d}"/>`;
    })
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${PAD.left + i * 220}" y="${HEIGHT - 18}" width="12" height="12" fill="${s.color}"/><text x="${PAD.left + i * 220 + 18}" y="${HEIGHT - 8}" font-size="12">${escapeXml(s.label)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${WIDTH / 2}" y="24" font-size="16" text-anchor="middle">${escapeXml(title)}</text>
${ticks(left.max, 'left')}${ticks(right.max, 'right')}
<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#333"/>
<line x1="${WIDTH - PAD.right}" x2="${WIDTH - PAD.right}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#333"/>
<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="#333"/>
<text x="16" y="${PAD.top + plotH / 2}" font-size="12" transform="rotate(-90 16 ${PAD.top + plotH / 2})" text-anchor="middle">${escapeXml(left.label)}</text>
<text x="${WIDTH - 14}" y="${PAD.top + plotH / 2}" font-size="12" transform="rotate(90 ${WIDTH - 14} ${PAD.top + plotH / 2})" text-anchor="middle">${escapeXml(right.label)}</text>
<text x="${WIDTH / 2}" y="${HEIGHT - 28}" font-size="12" text-anchor="middle">${escapeXml(xLabel)} (0 - ${xMax})</text>
${lines}${legend}
</svg>
`;
}
