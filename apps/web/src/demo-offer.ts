// When `custos demo` has registered its supply chain on this service (serverInfo
// .demoLoaded), the sign-in form offers its pharmacies: each by name and GLN with the key
// file the demo wrote for it, and a button that opens the file picker for it. The page
// never holds a demo key it was not given: the pharmacist still picks the file.
import { DEMO_PHARMACIES, demoKeyFile, PARTIES } from '@custos/sdk/demo-parties';
import { SERVER_INFO, graphql } from './api';
import { h } from './render';

export async function demoLoaded(): Promise<boolean> {
  try {
    return (await graphql<{ serverInfo: { demoLoaded: boolean } }>(SERVER_INFO, {})).serverInfo
      .demoLoaded;
  } catch {
    return false; // an older or unreachable service: no offer, sign-in works as ever
  }
}

/** The offer's content; `pick(id)` opens the file picker for the pharmacy with GLN `id`. */
export function renderDemoOffer(pick: (participantId: string) => void): HTMLElement[] {
  return [
    h(
      'p',
      {},
      h('strong', {}, 'The demo supply chain is loaded. '),
      'Sign in as one of its pharmacies with the key file ',
      h('code', {}, 'custos demo'),
      ' wrote in ',
      h('code', {}, '.custos/demo/'),
      ':',
    ),
    h(
      'ul',
      {},
      DEMO_PHARMACIES.map((slug) => {
        const party = PARTIES[slug];
        const button = h(
          'button',
          { type: 'button', class: 'secondary', 'data-participant': party.id },
          `${party.name} (GLN ${party.id}) — ${demoKeyFile(slug)}`,
        );
        button.addEventListener('click', () => pick(party.id));
        return h('li', {}, button);
      }),
    ),
  ];
}
