// A round-robin reverse proxy for the browser suite's two-instance run (test
// harness code, standing in for the load balancer of a real deployment): each
// request goes to the next upstream in turn, streamed both ways (server-sent events
// included), with the Host header kept and the client's address appended to
// `X-Forwarded-For`, as nginx or Caddy would. A client that goes away (Chat's Stop)
// ends the upstream request too.
//
//   node end2end/round-robin-proxy.mjs <port> <upstream> [<upstream> …]
//
// `GET /__proxy/health` answers here, without an upstream.
import { createServer, request as forward } from "node:http";

const [port, ...upstreams] = process.argv.slice(2);
if (!port || upstreams.length === 0) {
  console.error("usage: round-robin-proxy.mjs <port> <upstream> [<upstream> …]");
  process.exit(2);
}
const targets = upstreams.map((u) => new URL(u));
let next = 0;

createServer((req, res) => {
  if (req.url === "/__proxy/health") {
    res.end("ok");
    return;
  }
  const target = targets[next];
  next = (next + 1) % targets.length;
  const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
  const upstream = forward(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, "x-forwarded-for": forwardedFor },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  upstream.on("error", (err) => {
    if (!res.headersSent) {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `upstream ${target.host}: ${err.message}` }));
    } else {
      res.destroy();
    }
  });
  // The client went away before the answer ended: so does the upstream request.
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}).listen(Number(port), "127.0.0.1");
