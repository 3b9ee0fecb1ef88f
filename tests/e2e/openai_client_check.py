"""The official `openai` Python client against the edge API (run by edge-scripted.test.mjs).

Reads MD_EDGE_URL, MD_TOKEN and MD_MODEL; prints one line per check and ends with
`N passed, N failed`.
"""
import os
import sys

from openai import OpenAI

client = OpenAI(base_url=os.environ["MD_EDGE_URL"] + "/v1", api_key=os.environ["MD_TOKEN"], max_retries=0, timeout=30)
model = os.environ["MD_MODEL"]
messages = [{"role": "user", "content": "4x4 Sudoku: give one move as ROW: r COL: c VALUE: v"}]
passed = failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok - {name}")
    except Exception as e:  # noqa: BLE001 - report every failure the same way
        failed += 1
        print(f"not ok - {name}: {e!r}")


def list_models():
    ids = [m.id for m in client.models.list()]
    assert model in ids, ids


def chat():
    r = client.chat.completions.create(model=model, messages=messages, max_tokens=16)
    assert r.choices[0].message.content, r
    assert r.usage.completion_tokens > 0, r


def stream():
    text = ""
    chunks = 0
    for c in client.chat.completions.create(model=model, messages=messages, max_tokens=16, stream=True):
        chunks += 1
        if c.choices and c.choices[0].delta.content:
            text += c.choices[0].delta.content
    assert chunks > 1 and text, (chunks, text)


check("models.list", list_models)
check("chat.completions.create", chat)
check("chat.completions.create(stream=True)", stream)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
