// `cargo xtask bench`: Chat's streaming through Gantry against the test model
// server (`end2end/model-server.mjs`), in figures:
//   node bench/chat-stream.mjs <gantry URL> <model server base URL, ending in /v1>
// - time to first token through Gantry minus the model server's own (medians of 20);
// - pieces per second through one conversation (2000 pieces sent as fast as they go);
// - 50 concurrent answers (100 pieces, one every 20 ms each): the p50/p99 delay
//   between pieces as the client sees them, and the wall time.
const [gantry, models] = process.argv.slice(2);
const headers = { origin: gantry, "content-type": "application/json" };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
};

async function conversation() {
  const res = await fetch(`${gantry}/api/chat/conversations`, { method: "POST", headers, body: "{}" });
  if (res.status !== 201) throw new Error(`cannot create a conversation: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

/** Reads a streamed answer; calls `onPiece(now)` for each content piece. */
async function read(res, marker, onPiece) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.includes(marker)) onPiece(performance.now());
      if (block.includes("event: done") || block.includes("event: error") || block.includes("[DONE]")) {
        await reader.cancel();
        return;
      }
    }
  }
}

async function firstTokenDirect() {
  const start = performance.now();
  const res = await fetch(`${models}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "first", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  let first = null;
  await read(res, '"content"', (t) => (first ??= t));
  return first - start;
}

async function firstTokenThroughGantry(id) {
  const start = performance.now();
  const res = await fetch(`${gantry}/api/chat/conversations/${id}/messages`, {
    method: "POST",
    headers,
    body: JSON.stringify({ content: "hi", model: "default/first" }),
  });
  let first = null;
  await read(res, "event: delta", (t) => (first ??= t));
  return first - start;
}

async function stream(id, model) {
  const res = await fetch(`${gantry}/api/chat/conversations/${id}/messages`, {
    method: "POST",
    headers,
    body: JSON.stringify({ content: "go", model }),
  });
  const times = [];
  await read(res, "event: delta", (t) => times.push(t));
  return times;
}

// Warm up connections and the model list.
const warm = await conversation();
for (let i = 0; i < 3; i++) {
  await firstTokenDirect();
  await firstTokenThroughGantry(warm);
}
const direct = [];
const through = [];
for (let i = 0; i < 20; i++) {
  direct.push(await firstTokenDirect());
  // A fresh conversation each time, so the history does not grow.
  through.push(await firstTokenThroughGantry(await conversation()));
}
console.log(`time to first token: model server ${median(direct).toFixed(2)} ms, through Gantry ${median(through).toFixed(2)} ms, overhead ${(median(through) - median(direct)).toFixed(2)} ms (medians of 20)`);

const flood = await conversation();
const start = performance.now();
const pieces = await stream(flood, "default/flood");
const secs = (performance.now() - start) / 1000;
console.log(`one conversation: ${pieces.length} pieces in ${secs.toFixed(2)} s = ${Math.round(pieces.length / secs)} pieces/s`);

const ids = await Promise.all(Array.from({ length: 50 }, conversation));
const wallStart = performance.now();
const all = await Promise.all(ids.map((id) => stream(id, "default/steady")));
const wall = (performance.now() - wallStart) / 1000;
const gaps = all.flatMap((times) => times.slice(1).map((t, i) => t - times[i]));
const complete = all.filter((times) => times.length === 100).length;
console.log(`50 concurrent answers (100 pieces, 20 ms apart): ${complete}/50 complete, delay between pieces p50 ${percentile(gaps, 50).toFixed(1)} ms, p99 ${percentile(gaps, 99).toFixed(1)} ms, wall ${wall.toFixed(2)} s`);
