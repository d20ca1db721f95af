// Reading events for `sign` and `submit`: a JSON array, one JSON object, or NDJSON (one
// JSON value a line), from a file or standard input. NDJSON streams line by line, so a
// file of any size goes through in constant memory; each value keeps where it came from
// ("line 12", "item 3") for the rejection report.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CliError, EXIT_USAGE } from './cli-context';

export type InputFormat = 'array' | 'object' | 'ndjson';

export interface Located {
  readonly value: unknown;
  /** "line 12" (NDJSON) or "item 3" (1-based position in a JSON array). */
  readonly where: string;
}

export interface EventInput {
  /** Resolves once the format is known (after the first line). */
  readonly format: Promise<InputFormat>;
  readonly values: AsyncGenerator<Located>;
  /** The first line that is not JSON, if reading stopped at one. */
  readonly badLine: () => { where: string; message: string } | undefined;
}

export function openInput(file: string | undefined, stdin: NodeJS.ReadableStream): EventInput {
  if (file !== undefined && file !== '-' && !existsSync(file)) {
    throw new CliError(`${file}: no such file`, EXIT_USAGE);
  }
  const stream = file === undefined || file === '-' ? stdin : createReadStream(file);
  // The iterator is taken now: it buffers lines from here on, while the caller may still
  // be awaiting something else (readline drops lines that no one listens to).
  const lines = createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let setFormat!: (format: InputFormat) => void;
  const format = new Promise<InputFormat>((resolve) => (setFormat = resolve));
  let bad: { where: string; message: string } | undefined;

  async function* values(): AsyncGenerator<Located> {
    let lineNo = 0;
    let first = true;
    let whole: string[] | undefined;
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const line = next.value;
      lineNo++;
      if (whole) {
        whole.push(line);
        continue;
      }
      const text = line.trim();
      if (text === '') continue;
      const isFirst = first;
      first = false;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        if (isFirst && (text.startsWith('[') || text.startsWith('{'))) {
          whole = [line]; // a pretty-printed JSON document: read it whole
          continue;
        }
        bad = { where: `line ${lineNo}`, message: `not JSON (${(err as Error).message})` };
        setFormat('ndjson');
        return;
      }
      if (isFirst && Array.isArray(value)) {
        setFormat('array');
        yield* items(value);
        continue;
      }
      setFormat('ndjson');
      yield { value, where: `line ${lineNo}` };
    }
    if (whole) {
      let value: unknown;
      try {
        value = JSON.parse(whole.join('\n'));
      } catch (err) {
        throw new CliError(`${file ?? 'standard input'}: not JSON (${(err as Error).message})`);
      }
      setFormat(Array.isArray(value) ? 'array' : 'object');
      if (Array.isArray(value)) yield* items(value);
      else yield { value, where: 'item 1' };
    }
    setFormat('ndjson');
  }

  function* items(array: unknown[]): Generator<Located> {
    for (let i = 0; i < array.length; i++) yield { value: array[i], where: `item ${i + 1}` };
  }

  return { format, values: values(), badLine: () => bad };
}
