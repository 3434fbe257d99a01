// An OpenAI-compatible model server for the browser tests and for trying Gantry by
// hand (a fake of something outside Gantry): `GET /v1/models`, streamed
// `POST /v1/chat/completions`, scripted by the model's name, and
// `POST /v1/embeddings` (model `embed`: words counted in 64 buckets).
//
//   node end2end/model-server.mjs [port [control port]]   (3110, and port + 1)
//
// Models: `echo` ("You said: …", word by word), `slow` (40 pieces, one every 80 ms),
// `endless` (a piece every 100 ms for a minute), `html` (an answer full of HTML and
// Markdown); for `cargo xtask bench`: `first` (one piece at once), `flood` (2000
// pieces as fast as they go), `steady` (100 pieces, one every 20 ms); `tool` (when
// tools are offered, a call for each line `CALL <function> <json>` of the last user
// message; after a tool's result, "Tool said: <result>"; else "No tool needed").
// The control port takes `POST /down` (the model port stops listening:
// connections are refused) and `POST /up`, and answers `GET /health`; any request
// to `/count/<key>` is counted, and `GET /counted/<key>` says how many came.
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? process.env.MODEL_SERVER_PORT ?? 3110);
const MODELS = ["echo", "slow", "endless", "html", "first", "flood", "steady", "embed", "tool"];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function chunk(content) {
  return `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
}

/** The `tool` model's answer: tool-call chunks, or text. */
function toolAnswer(request) {
  const messages = request.messages ?? [];
  const last = messages[messages.length - 1] ?? {};
  const question = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const offered = request.tool_choice === "none" ? [] : (request.tools ?? []).map((t) => t.function.name);
  if (last.role === "tool") return { delay: 10, parts: [`Tool said: ${last.content}`] };
  const calls = offered.length
    ? question
        .split("\n")
        .map((line) => line.trim().match(/^CALL (\S+) (.*)$/))
        .filter(Boolean)
    : [];
  if (!calls.length) return { delay: 10, parts: [`No tool needed: ${question}`] };
  const raw = calls.flatMap(([, name, args], index) => [
    { index, id: `call_${index}`, type: "function", function: { name, arguments: "" } },
    { index, function: { arguments: args } },
  ]);
  return {
    delay: 10,
    raw: raw.map((call) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [call] } }] })}\n\n`),
  };
}

function pieces(model, last) {
  switch (model) {
    case "echo":
      return { delay: 10, parts: `You said: ${last}`.split(/(?<= )/) };
    case "slow":
      return { delay: 80, parts: Array.from({ length: 40 }, (_, i) => `word${i} `) };
    case "endless":
      return { delay: 100, parts: Array.from({ length: 600 }, (_, i) => `tick${i} `) };
    case "html":
      return {
        delay: 10,
        parts: [
          "Here is markup: <script>window.pwned = 1</script> ",
          '<img src=x onerror="window.pwned = 2"> and **bold** text.\n\n',
          "```js\nconsole.log('<b>hi</b>');\n```\n",
        ],
      };
    case "first":
      return { delay: 0, parts: ["Hi"] };
    case "flood":
      return { delay: 0, parts: Array.from({ length: 2000 }, (_, i) => `f${i} `) };
    case "steady":
      return { delay: 20, parts: Array.from({ length: 100 }, (_, i) => `s${i} `) };
    default:
      return null;
  }
}

async function completions(req, res, body) {
  const request = JSON.parse(body || "{}");
  const messages = request.messages ?? [];
  const last = messages.length ? messages[messages.length - 1].content : "";
  const script = request.model === "tool" ? toolAnswer(request) : pieces(request.model, last);
  if (!script) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: `model ${request.model} not found` } }));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  let gone = false;
  res.on("close", () => {
    gone = true;
  });
  const events = script.raw ?? script.parts.map(chunk);
  for (const event of events) {
    if (script.delay > 0) await sleep(script.delay);
    if (gone) return;
    res.write(event);
  }
  res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: events.length } })}\n\n`);
  res.end("data: [DONE]\n\n");
}

/** The `embed` model's vector of `text`: its words counted in 64 buckets. */
function embedding(text) {
  const vector = new Array(64).fill(0);
  for (const word of String(text).toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!word) continue;
    let hash = 7;
    for (const byte of Buffer.from(word)) hash = (Math.imul(hash, 31) + byte) >>> 0;
    vector[hash % 64] += 1;
  }
  return vector;
}

function embeddings(res, body) {
  const request = JSON.parse(body || "{}");
  if (request.model !== "embed") {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: `model ${request.model} not found` } }));
    return;
  }
  const inputs = Array.isArray(request.input) ? request.input : [request.input];
  const data = inputs.map((text, index) => ({ object: "embedding", index, embedding: embedding(text) }));
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ object: "list", data, model: "embed" }));
}

function handle(req, res) {
  let body = "";
  req.on("data", (data) => (body += data));
  req.on("end", () => {
    if (req.method === "GET" && req.url === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: MODELS.map((id) => ({ id, object: "model" })) }));
    } else if (req.method === "POST" && req.url === "/v1/chat/completions") {
      completions(req, res, body).catch(() => res.destroy());
    } else if (req.method === "POST" && req.url === "/v1/embeddings") {
      embeddings(res, body);
    } else {
      res.writeHead(404).end();
    }
  });
}

let models = null;
function up() {
  if (models) return Promise.resolve();
  models = createServer(handle);
  return new Promise((resolve) => models.listen(port, "127.0.0.1", resolve));
}
function down() {
  if (!models) return Promise.resolve();
  const server = models;
  models = null;
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Requests to `/count/<key>` by key, for tests that count what reaches a URL. */
const counts = new Map();

const control = createServer(async (req, res) => {
  const counted = req.url.match(/^\/count(ed)?\/([\w-]+)$/);
  if (counted) {
    const key = counted[2];
    if (!counted[1]) counts.set(key, (counts.get(key) ?? 0) + 1);
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ count: counts.get(key) ?? 0 }));
  }
  if (req.method === "POST" && req.url === "/down") await down();
  else if (req.method === "POST" && req.url === "/up") await up();
  else if (!(req.method === "GET" && req.url === "/health")) return res.writeHead(404).end();
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ listening: models !== null }));
});

await up();
const controlPort = Number(process.argv[3] ?? port + 1);
control.listen(controlPort, "127.0.0.1", () => {
  console.log(`model server on http://127.0.0.1:${port}/v1, control on http://127.0.0.1:${controlPort}`);
});
