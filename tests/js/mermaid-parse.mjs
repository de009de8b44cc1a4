// Check a Mermaid chart with Mermaid's own parser.
// Reads the chart on stdin; exits 0 when it parses, 1 with the parser's error
// on stderr when it does not, 2 when Mermaid itself cannot be loaded.
// Mermaid expects a browser, so jsdom provides window/document first.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
// Only the globals Mermaid touches while parsing; assigning a getter-backed
// global such as `navigator` throws in Node 20, hence the defineProperty.
for (const [name, value] of Object.entries({
  window: dom.window,
  document: dom.window.document,
  navigator: dom.window.navigator,
  DOMParser: dom.window.DOMParser,
  Element: dom.window.Element,
  HTMLElement: dom.window.HTMLElement,
  SVGElement: dom.window.SVGElement,
})) {
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

let mermaid;
try {
  ({ default: mermaid } = await import("mermaid"));
} catch (err) {
  console.error(`cannot load mermaid: ${err && err.message ? err.message : err}`);
  process.exit(2);
}

const text = await readStdin();
if (!text.trim()) {
  console.error("empty chart on stdin");
  process.exit(1);
}
try {
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  const result = await mermaid.parse(text);
  console.log(`ok: ${result && result.diagramType ? result.diagramType : "parsed"}`);
  process.exit(0);
} catch (err) {
  console.error(String(err && err.message ? err.message : err));
  process.exit(1);
}
