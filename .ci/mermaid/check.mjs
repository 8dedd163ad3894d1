// Parse Mermaid sources with Mermaid's own parser and print what it read, as JSON.
// stdin: a JSON array of diagram sources. stdout: one object per source, in order:
// {"ok": true, "type", "title", "xAxis", "yAxis", "plots"} (xychart data as the renderer gets it)
// or {"ok": false, "error": "<Mermaid's parse error>"}.
// jsdom supplies the window DOMPurify needs before Mermaid is imported.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const source of JSON.parse(input)) {
  try {
    await mermaid.parse(source);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
    const out = { ok: true, type: diagram.type };
    if (diagram.type === 'xychart') {
      const data = diagram.db.getXYChartData();
      Object.assign(out, { title: diagram.db.getDiagramTitle(), xAxis: data.xAxis, yAxis: data.yAxis });
      out.plots = data.plots.map((p) => ({ type: p.type, data: p.data }));
    }
    results.push(out);
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
