// The edge API running in workerd (wrangler dev) proxies to the real local model server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { env } from "./support.mjs";

const edge = () => env("MD_EDGE_URL");
const model = () => env("MD_MODEL");

const sudokuPrompt = [
  { role: "system", content: "You are a careful Sudoku solver." },
  { role: "user", content: "4x4 Sudoku, '.' is empty:\n1 . | . 4\n. 4 | 1 .\n---------\n2 . | 4 .\n. 3 | . 1\nAnswer with one line: ROW: r COL: c VALUE: v" },
];

test("GET /health answers ok", async () => {
  const response = await fetch(`${edge()}/health`);
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.status, "ok");
});

test("a chat completion comes back from the real local model", async () => {
  const response = await fetch(`${edge()}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: model(), messages: sudokuPrompt, max_tokens: 32, temperature: 0 }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  const body = JSON.parse(text);
  assert.equal(body.object, "chat.completion");
  const content = body.choices?.[0]?.message?.content;
  assert.equal(typeof content, "string");
  assert.ok(content.length > 0, "the model wrote something");
  assert.ok(body.usage.completion_tokens > 0);
});

test("a streamed chat completion arrives as SSE chunks", async () => {
  const response = await fetch(`${edge()}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: model(), messages: sudokuPrompt, max_tokens: 24, temperature: 0, stream: true }),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
  let chunks = 0, text = "", done = false, buffer = "";
  const decoder = new TextDecoder();
  for await (const part of response.body) {
    buffer += decoder.decode(part, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trim();
      if (data === "[DONE]") { done = true; continue; }
      chunks++;
      text += JSON.parse(data).choices?.[0]?.delta?.content ?? "";
    }
  }
  assert.ok(done, "the stream ends with [DONE]");
  assert.ok(chunks > 1, `several chunks arrived (${chunks})`);
  assert.ok(text.length > 0);
});

test("the upstream key never reaches the client and bad input gets a JSON 4xx", async () => {
  const response = await fetch(`${edge()}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{not json",
  });
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.equal(typeof body.error.code, "string");
  assert.equal(typeof body.error.message, "string");
});
