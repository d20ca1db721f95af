// Option parsing shared by the commands that take witness keys (verify-bundle, mirror, monitor).
import { CliError, EXIT_USAGE } from '../cli-context';

/** commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function positiveInteger(value: string, option: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value))
    throw new CliError(`${option}: expected a positive whole number, got ${value}`, EXIT_USAGE);
  return Number(value);
}
