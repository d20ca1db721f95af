// The controls of an EPCIS WebSocket subscription (REST binding): `stream=true`, or a
// schedule (`second`, `minute`, …), which Custos does not offer. Refusals are the binding's
// SubscriptionControlsException (400).

const SCHEDULE = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'];

/** The stream's controls: `stream=true`, nothing of a schedule; refused otherwise. */
export function streamControls(search: URLSearchParams): void {
  const schedule = SCHEDULE.filter((name) => search.has(name));
  if (schedule.length > 0)
    throw new StreamControlsError(
      `${schedule[0]}: scheduled subscriptions are not offered; stream with stream=true`,
    );
  if (search.get('stream') !== 'true')
    throw new StreamControlsError('stream: a WebSocket subscription needs stream=true');
  for (const name of search.keys())
    if (name !== 'stream')
      throw new StreamControlsError(
        `${name}: a stream takes only stream=true (its filters are the named query's)`,
      );
}

/** A stream's controls that the binding's SubscriptionControlsException refuses. */
export class StreamControlsError extends Error {}
