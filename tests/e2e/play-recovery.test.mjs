// Failure and recovery of an LLM play in a real browser: the edge API stops and comes back, the
// model server behind it fails with 500s, hangs past the profile's timeout, or stops. Each time
// the play pauses with a message that says what to do, no move is lost or made up (the stored
// session and its experiences are compared before and after), and Resume goes on from the last
// committed move. The model is the scripted upstream (edge-harness.mjs) behind a second edge API
// instance, so every failure comes exactly when the test says.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, startScriptedUpstream } from "./edge-harness.mjs";
import {
  assertConsistentPlay, createScriptedProfile, moves, openLab, scriptedEdge, shownAttempts, startPlay, storedPlay,
  waitForAttempts, waitForStatus,
} from "./lab-support.mjs";

let up, edge;
const control = { mode: null, delayMs: 0, moves: 0 };

before(async () => {
  up = await startScriptedUpstream({ control });
  // The client's own timeout (set per profile below) must run out before the edge API's.
  edge = await scriptedEdge(up, { vars: { UPSTREAM_TIMEOUT_MS: "30000" } });
});

after(async () => {
  await edge?.stop();
  await up?.stop();
});

const noErrors = (errors) => errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e));

/** Press Resume and wait until the play stored its next state (a move, or the pause again). */
async function resumeAndSettle(page, id) {
  const { session } = await storedPlay(page, id);
  await page.click("#llm-resume");
  await page.waitForFunction(() => !document.querySelector("#llm-resume")?.disabled || !document.querySelector("#llm-stop")?.disabled);
  for (const deadline = Date.now() + 30_000; ;) {
    const now = (await storedPlay(page, id)).session;
    if (now.updated_at > session.updated_at && (await page.isDisabled("#llm-stop"))) return now;
    if (Date.now() > deadline) throw new Error(`Resume changed nothing: ${await page.textContent("#llm-status")}`);
    await page.waitForTimeout(100);
  }
}

/** Stop the play, wait until it is paused, and return what is stored of it. */
async function stopAndRead(page, id) {
  if (!(await page.isDisabled("#llm-stop"))) await page.click("#llm-stop");
  await waitForStatus(page, /paused|ended|solved/);
  return storedPlay(page, id);
}

test("a person's play pauses when the edge API stops, and Resume after its restart continues from the last saved move", async (t) => {
  Object.assign(control, { mode: null, delayMs: 250 });
  // Its own edge API on a fixed port, so the restarted one is where the app looks.
  const port = await freePort();
  let own = await scriptedEdge(up, { port, name: "restart" });
  t.after(async () => { await own?.stop(); });
  const { page, errors } = await openLab(t, { edgeUrl: own.url });
  await createScriptedProfile(page, { retries: 1 });
  const id = await startPlay(page, { seed: 3, maxAttempts: 40 });
  await waitForAttempts(page, 3);

  await own.stop();
  own = null;
  const status = await waitForStatus(page, /^paused/);
  // Not "the URL in the profile" (an edge profile has none): the edge API, and where it is set.
  assert.match(status, /could not reach the edge API .*cargo xtask serve.*edgeApiUrl/, `the message names what is down: ${status}`);
  assert.doesNotMatch(status, /URL in the profile/, status);
  assert.match(status, /press Resume/, status);
  const paused = await storedPlay(page, id);
  assert.equal(paused.session.state, "paused", "the pause is stored");
  assertConsistentPlay(assert, paused, "paused:");
  const before = paused.session.session.attempts.length;
  assert.equal(await shownAttempts(page), before, "the screen shows every committed move, and only those");
  assert.ok(!(await page.isDisabled("#llm-resume")), "Resume is offered");

  own = await scriptedEdge(up, { port, name: "restart" });
  await page.click("#llm-resume");
  await waitForAttempts(page, before + 3);
  const resumed = await stopAndRead(page, id);
  assertConsistentPlay(assert, resumed, "resumed:");
  assert.deepEqual(moves(resumed.session).slice(0, before), moves(paused.session), "the moves before the outage are kept as they were");
  assert.ok(resumed.session.session.attempts.length >= before + 3, "the attempt count continues after the restart");
  assert.deepEqual(noErrors(errors), []);
});

test("a person whose model server answers 500s sees the retries, then the breaker's pause, and the play recovers", async (t) => {
  Object.assign(control, { mode: null, delayMs: 0 });
  const { page, errors } = await openLab(t, { edgeUrl: edge.url });
  // Five retries: the fifth failure in a row opens the app's circuit breaker before the sixth.
  await createScriptedProfile(page, { retries: 5 });
  const id = await startPlay(page, { seed: 4, maxAttempts: 60 });
  await waitForAttempts(page, 2);
  control.mode = "down";
  const requestsBefore = up.requests.length;
  await page.waitForFunction(() => /retrying: http/.test(document.querySelector("#llm-answer")?.textContent ?? ""), null, { timeout: 30_000 });
  const status = await waitForStatus(page, /^paused/, 60_000);
  assert.match(status, /kept failing, so it is paused for \d+ s; check the server/, `the breaker says why and for how long: ${status}`);
  assert.match(status, /press Resume/, status);
  assert.ok(up.requests.length - requestsBefore >= 5, `the move was retried (${up.requests.length - requestsBefore} upstream calls)`);
  const paused = await storedPlay(page, id);
  assertConsistentPlay(assert, paused, "paused:");
  assert.equal(paused.session.state, "paused");
  const before = paused.session.session.attempts.length;

  // The server is back, but the breaker still leaves it alone: Resume says so, and adds nothing.
  control.mode = null;
  await resumeAndSettle(page, id);
  const again = await page.textContent("#llm-status");
  const wait = Number(again.match(/paused for (\d+) s/)?.[1]);
  assert.ok(wait > 0 && wait <= 30, `Resume during the cool-down says how long is left: ${again}`);
  assert.equal((await storedPlay(page, id)).session.session.attempts.length, before, "no move while the breaker is open");

  // Once the cool-down the message named is over, Resume plays again. (Only time passes: there
  // is nothing else to wait for.)
  await page.waitForTimeout(wait * 1000 + 500);
  await page.click("#llm-resume");
  await waitForAttempts(page, before + 2);
  const resumed = await stopAndRead(page, id);
  assertConsistentPlay(assert, resumed, "resumed:");
  assert.deepEqual(moves(resumed.session).slice(0, before), moves(paused.session));
  assert.deepEqual(noErrors(errors), []);
});

test("a person whose model server hangs past the timeout gets a timeout pause, not a made-up move, and goes on once it answers", async (t) => {
  Object.assign(control, { mode: null, delayMs: 0 });
  const { page, errors } = await openLab(t, { edgeUrl: edge.url });
  await createScriptedProfile(page, { retries: 1, timeoutS: 2 });
  const id = await startPlay(page, { seed: 5, maxAttempts: 60 });
  await waitForAttempts(page, 2);
  control.mode = "hang";
  const status = await waitForStatus(page, /^paused/, 30_000);
  assert.match(status, /no complete answer within 2\.0 s; raise the profile's timeout/, status);
  assert.match(status, /press Resume/, status);
  const paused = await storedPlay(page, id);
  assertConsistentPlay(assert, paused, "paused:");
  const before = paused.session.session.attempts.length;
  assert.equal(await shownAttempts(page), before);

  control.mode = null;
  await page.click("#llm-resume");
  await waitForAttempts(page, before + 2);
  const resumed = await stopAndRead(page, id);
  assertConsistentPlay(assert, resumed, "resumed:");
  assert.deepEqual(moves(resumed.session).slice(0, before), moves(paused.session));
  assert.deepEqual(noErrors(errors), []);
});

test("a person whose model server stops behind the edge API is told the edge API cannot reach it, and Resume goes on after its restart", async (t) => {
  Object.assign(control, { mode: null, delayMs: 0 });
  // A model server of its own, on a fixed port, that this test stops and starts again.
  const ownControl = { mode: null, delayMs: 100, moves: 0 };
  let model = await startScriptedUpstream({ control: ownControl });
  const port = model.port;
  const ownEdge = await scriptedEdge(model, { name: "model-stop" });
  t.after(async () => { await ownEdge.stop(); await model?.stop(); });
  const { page, errors } = await openLab(t, { edgeUrl: ownEdge.url });
  await createScriptedProfile(page, { retries: 1 });
  const id = await startPlay(page, { seed: 6, maxAttempts: 60 });
  await waitForAttempts(page, 2);
  await model.stop();
  model = null;
  const status = await waitForStatus(page, /^paused/, 30_000);
  assert.match(status, /upstream_unreachable/, `the edge API's code is shown: ${status}`);
  assert.match(status, /model server/, `the message says the model server is the problem: ${status}`);
  assert.match(status, /press Resume/, status);
  const paused = await storedPlay(page, id);
  assertConsistentPlay(assert, paused, "paused:");
  const before = paused.session.session.attempts.length;

  model = await startScriptedUpstream({ port, control: ownControl });
  await page.click("#llm-resume");
  await waitForAttempts(page, before + 2);
  const resumed = await stopAndRead(page, id);
  assertConsistentPlay(assert, resumed, "resumed:");
  assert.deepEqual(moves(resumed.session).slice(0, before), moves(paused.session));
  assert.deepEqual(noErrors(errors), []);
});

test("a person who double-clicks Resume gets one play, not two: no attempt numbered twice, no answer dropped", async (t) => {
  Object.assign(control, { mode: null, delayMs: 200 });
  const { page, errors } = await openLab(t, { edgeUrl: edge.url });
  await createScriptedProfile(page, { retries: 1 });
  const id = await startPlay(page, { seed: 7, maxAttempts: 60 });
  await waitForAttempts(page, 2);
  const paused = await stopAndRead(page, id);
  const before = paused.session.session.attempts.length;
  const answered = control.moves;
  // Two clicks in the same task, before the first Resume's loop has started.
  await page.evaluate(() => { const b = document.querySelector("#llm-resume"); b.click(); b.click(); });
  await waitForAttempts(page, before + 4);
  control.delayMs = 2_000; // the next answer is slow: Stop lands before it
  const resumed = await stopAndRead(page, id);
  assertConsistentPlay(assert, resumed, "after a double Resume:");
  const added = resumed.session.session.attempts.length - before;
  // (The answer Stop cut off may still have been given upstream: one at most.)
  const answers = control.moves - answered;
  assert.ok(answers >= added && answers <= added + 1, `every answer the model gave became one attempt (${answers} answers, ${added} attempts)`);
  assert.deepEqual(moves(resumed.session).slice(0, before), moves(paused.session));
  assert.deepEqual(noErrors(errors), []);
});

test("regression: a person who presses Stop between two moves gets a pause, not a play stuck on its last move", async (t) => {
  // With an instant model most of a move's time is saving it and repainting, so a Stop mostly
  // lands between moves; the loop used to end there without pausing the session, leaving it
  // running, the screen on the last move and Stop greyed out.
  Object.assign(control, { mode: null, delayMs: 0 });
  const { page, errors } = await openLab(t, { edgeUrl: edge.url });
  await createScriptedProfile(page, { retries: 1 });
  const id = await startPlay(page, { seed: 7, maxAttempts: 400 });
  let attempts = await waitForAttempts(page, 1);
  for (let round = 0; round < 10; round++) {
    const { session } = await stopAndRead(page, id);
    assert.equal(session.state, "paused", `round ${round}: the Stop is stored as a pause`);
    assert.match(await page.textContent("#llm-status"), /^paused; press Resume/);
    assert.ok(!(await page.isDisabled("#llm-resume")), `round ${round}: Resume is offered`);
    assertConsistentPlay(assert, await storedPlay(page, id), `round ${round}:`);
    await page.click("#llm-resume");
    attempts = await waitForAttempts(page, attempts + 1);
  }
  assert.deepEqual(noErrors(errors), []);
});
