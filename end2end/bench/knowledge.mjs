// `cargo xtask bench`: the Knowledge Vault in figures, against a release server
// whose requests are an administrator's and the test model server (for vectors):
//   node bench/knowledge.mjs <gantry URL>
// - ingestion: a generated 200-page PDF, from upload to ready, in pages per second;
// - search over 10,000 chunks: p50/p99 of 200 searches, by words alone, then with
//   the `embed` model chosen (hybrid), once every chunk has its vector.
const [gantry] = process.argv.slice(2);
const origin = { origin: gantry };
const json = { ...origin, "content-type": "application/json" };

const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
};

async function call(method, path, body) {
  const res = await fetch(`${gantry}${path}`, { method, headers: json, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A PDF of `pages`, each with its lines of text (Helvetica), written by hand. */
function pdf(pages) {
  const objects = [];
  const add = (body) => objects.push(body) && objects.length;
  const catalog = add("<< /Type /Catalog /Pages 2 0 R >>");
  const pagesId = add(null);
  const font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const kids = [];
  for (const lines of pages) {
    const text = lines
      .map((line, i) => `BT /F1 10 Tf 50 ${760 - i * 14} Td (${line.replace(/[()\\]/g, "")}) Tj ET`)
      .join("\n");
    const content = add(`<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent 2 0 R /Contents ${content} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> /MediaBox [0 0 612 792] >>`));
  }
  objects[pagesId - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`;
  let out = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out);
}

const vocabulary = Array.from({ length: 3000 }, (_, i) => `w${(i * 7919) % 100000}`);
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const word = () => vocabulary[Math.floor(random() * vocabulary.length)];
const sentence = (n) => Array.from({ length: n }, word).join(" ");

async function upload(collection, name, type, bytes) {
  const form = new FormData();
  form.append("collection_id", collection);
  form.append("file", new Blob([bytes], { type }), name);
  const res = await fetch(`${gantry}/api/knowledge/documents`, { method: "POST", headers: origin, body: form });
  if (res.status !== 201) throw new Error(`upload ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()).documents[0].id;
}

async function ready(id) {
  for (;;) {
    const doc = await call("GET", `/api/knowledge/documents/${id}`);
    if (doc.status === "ready") return doc;
    if (doc.status === "failed") throw new Error(`${doc.filename} failed: ${doc.error}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function searches(collection, label) {
  const times = [];
  let mode = "";
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    const found = await call("POST", "/api/knowledge/search", {
      query: `${word()} ${word()} ${word()}`,
      collection_ids: [collection],
      top_k: 8,
    });
    times.push(performance.now() - started);
    mode = found.mode;
  }
  console.log(
    `search over 10,000 chunks (${label}, mode ${mode}): p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`,
  );
}

const pdfCollection = (await call("POST", "/api/knowledge/collections", { name: "bench pdf" })).id;
const pages = Array.from({ length: 200 }, () => Array.from({ length: 40 }, () => sentence(12)));
const started = performance.now();
const doc = await ready(await upload(pdfCollection, "bench.pdf", "application/pdf", pdf(pages)));
const seconds = (performance.now() - started) / 1000;
console.log(
  `ingestion: a 200-page PDF (${doc.chunk_count} chunks) ready in ${seconds.toFixed(2)} s: ${(200 / seconds).toFixed(1)} pages/s`,
);

// 10 files of 1,000 paragraphs, each about one chunk.
const collection = (await call("POST", "/api/knowledge/collections", { name: "bench search" })).id;
const ids = [];
for (let f = 0; f < 10; f++) {
  const text = Array.from({ length: 1000 }, () => sentence(120)).join("\n\n");
  ids.push(await upload(collection, `part${f}.txt`, "text/plain", Buffer.from(text)));
}
let chunks = 0;
for (const id of ids) chunks += (await ready(id)).chunk_count;
console.log(`search corpus: ${chunks} chunks`);
await searches(collection, "words alone");
await call("PUT", "/api/admin/knowledge", { embedding_model: "default/embed" });
const embedStarted = performance.now();
for (;;) {
  const settings = await call("GET", "/api/admin/knowledge");
  if (settings.embedded_chunks === settings.chunks) break;
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`embedding every chunk again: ${((performance.now() - embedStarted) / 1000).toFixed(1)} s`);
await searches(collection, `words and vectors, ${process.env.GANTRY_VECTOR_SEARCH ?? "sqlite-vec"}`);
