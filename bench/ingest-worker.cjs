// A paced submitter in its own process (see bench/mixed.bench.ts): posts pre-signed
// `submitEvents` batches to the product on loopback, batch i due at i * batch / rate
// seconds from the start whatever the answers' speed (an open loop, as manufacturers'
// systems send), at most `maxInFlight` unanswered at once, and stops at the deadline.
// Prints the rate achieved and the batches' answer times as JSON.
'use strict';
/* global fetch -- Node's own since 18 */
const { readFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
const { setTimeout } = require('node:timers');
const { URL } = require('node:url');

const MUTATION =
  'mutation ($events: [SignedEventInput!]!) { submitEvents(events: $events) { accepted { eventId } rejected { index code } } }';

async function main() {
  const options = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const { url, token, batches, perSecond, maxSeconds, maxInFlight } = options;
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost')
    throw new Error(`load stays on loopback; refusing ${url}`);
  const start = performance.now();
  const deadline = start + maxSeconds * 1000;
  const answerMs = [];
  let accepted = 0;
  let rejected = 0;
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  let due = start;
  const pending = [];
  for (const events of batches) {
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    due += (events.length / perSecond) * 1000;
    if (performance.now() > deadline) break;
    if (inFlight >= maxInFlight) {
      skipped += events.length; // the product is behind: not sent, counted
      continue;
    }
    inFlight += 1;
    const sent = performance.now();
    pending.push(
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: MUTATION, variables: { events } }),
      })
        .then(async (res) => {
          const body = await res.json();
          const answer = body.data && body.data.submitEvents;
          if (!answer) throw new Error(JSON.stringify(body.errors || body).slice(0, 500));
          accepted += answer.accepted.length;
          rejected += answer.rejected.length;
          answerMs.push(performance.now() - sent);
        })
        .catch((err) => {
          failed += events.length;
          if (failed === events.length) console.error(String(err));
        })
        .finally(() => (inFlight -= 1)),
    );
  }
  const sentFor = (performance.now() - start) / 1000;
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  answerMs.sort((a, b) => a - b);
  const pct = (p) =>
    answerMs[Math.min(answerMs.length - 1, Math.floor((p / 100) * answerMs.length))];
  process.stdout.write(
    JSON.stringify({
      accepted,
      rejected,
      failed,
      skipped,
      sentForSeconds: sentFor,
      seconds,
      acceptedPerSecond: accepted / seconds,
      batchP50Ms: pct(50),
      batchP99Ms: pct(99),
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
