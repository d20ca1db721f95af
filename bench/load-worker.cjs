// The load generator's own process (see bench/load.ts): autocannon, driven by a JSON
// file of options whose `requests` it cycles through, prints its result as JSON.
'use strict';
const { readFileSync } = require('node:fs');
const autocannon = require('autocannon');

const options = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const requests = options.requests;
let next = 0;
autocannon(
  {
    url: options.url,
    connections: options.connections,
    duration: options.duration,
    timeout: 10,
    requests: [
      {
        setupRequest(request) {
          const chosen = requests[next++ % requests.length];
          return {
            ...request,
            method: chosen.method,
            path: chosen.path,
            headers: chosen.headers,
            body: chosen.body,
          };
        },
      },
    ],
  },
  (err, result) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify(result));
  },
);
