// Printable GS1 DataMatrix labels for the demo codes, with bwip-js (Barcode Writer in
// Pure JavaScript: BWIPP's GS1 encoder, which checks AIs and check digits): PNG for
// screens and phones, SVG for printing, each with the element string as human-readable
// text under the symbol (GS1 General Specifications 4.15).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bwipjs from 'bwip-js';

function options(code: string) {
  return {
    bcid: 'gs1datamatrix',
    text: code,
    scale: 5,
    includetext: true,
    alttext: code,
    textxalign: 'center' as const,
    textsize: 8,
    paddingwidth: 8,
    paddingheight: 8,
    backgroundcolor: 'FFFFFF',
  };
}

/** Writes `<name>.png` and `<name>.svg` into `dir`; returns their paths. */
export async function writeLabel(
  dir: string,
  name: string,
  code: string,
): Promise<{ png: string; svg: string }> {
  const png = join(dir, `${name}.png`);
  const svg = join(dir, `${name}.svg`);
  writeFileSync(png, await bwipjs.toBuffer(options(code)));
  writeFileSync(svg, bwipjs.toSVG(options(code)));
  return { png, svg };
}
