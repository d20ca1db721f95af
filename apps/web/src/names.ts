// Participants by name with their GLN: the trail names each actor as the ledger
// registered it. Names are asked for once per page (one request for all the actors of an
// answer) and kept; a name the service does not give is shown as the GLN alone.
import { graphql, participantNamesQuery } from './api';

const known = new Map<string, string>();
/** The most actors asked for in one request (a trail rarely has more than a handful). */
const MAX_PER_REQUEST = 20;

/** "Harbour Pharmacy (GLN 9506004000011)", or the GLN alone when the name is unknown. */
export function partyLabel(id: string, names: ReadonlyMap<string, string>): string {
  const name = names.get(id);
  return name ? `${name} (GLN ${id})` : id;
}

/** The names of `ids` this page knows, after asking the service for the ones it does not. */
export async function participantNames(
  ids: readonly string[],
  token: string,
): Promise<ReadonlyMap<string, string>> {
  const missing = [...new Set(ids)].filter((id) => !known.has(id)).slice(0, MAX_PER_REQUEST);
  if (missing.length > 0) {
    const variables = Object.fromEntries(missing.map((id, i) => [`p${i}`, id]));
    const data = await graphql<Record<string, { id: string; name: string } | null>>(
      participantNamesQuery(missing),
      variables,
      token,
    );
    for (const participant of Object.values(data)) {
      if (participant) known.set(participant.id, participant.name);
    }
  }
  return known;
}

/** Remembers a name the page learnt otherwise (a custodian, the signed-in participant). */
export function rememberName(id: string, name: string): void {
  known.set(id, name);
}
