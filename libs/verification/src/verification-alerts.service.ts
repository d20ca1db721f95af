// Who raises an alert on a failed verification (SPEC section 6), and how many: a
// COUNTERFEIT answer to a trading partner's scan raises one CRITICAL alert per critical
// finding code, at most once per identifier, scanner, code and day. Reading is not
// scanning: regulators, the admin and package(code) raise none. Each scanner has a budget
// of ALERT_BUDGET such alerts per ALERT_WINDOW_MS window; past it, one VERIFICATION_FLOOD
// alert says so (with the count), and that scanner's verifications raise nothing more
// until the window ends, so one client scanning random codes cannot flood the feed.
import { Injectable } from '@nestjs/common';
import type { Finding } from '@custos/custody/findings';
import { AlertRepository } from '@custos/store/alert.repository';

export const ALERT_BUDGET = 20;
export const ALERT_WINDOW_MS = 10 * 60_000;
const KEY_PREFIX = 'verify|';

@Injectable()
export class VerificationAlerts {
  constructor(private readonly alerts: AlertRepository) {}

  /** Raises the alerts of a COUNTERFEIT answer to `scanner`'s scan, within its budget. */
  async counterfeit(
    identifier: string,
    scanner: string,
    findings: readonly Finding[],
    now: Date,
  ): Promise<void> {
    const critical = findings.filter((f) => f.severity === 'CRITICAL');
    const codes = [...new Set(critical.map((f) => f.code))];
    if (codes.length === 0) return;
    const today = now.toISOString().slice(0, 10);
    const windowStart = new Date(Math.floor(now.getTime() / ALERT_WINDOW_MS) * ALERT_WINDOW_MS);
    // Counted, then inserted: concurrent scans of one scanner may overshoot the budget by
    // their number, never by more.
    const used = await this.alerts.countSince(scanner, KEY_PREFIX, windowStart);
    const room = Math.max(0, ALERT_BUDGET - used);
    const raised = codes.slice(0, room).map((code) => ({
      code,
      severity: 'CRITICAL' as const,
      message: `verification of ${identifier} by ${scanner} found ${code}: ${critical.find((f) => f.code === code)!.message}`,
      identifier,
      eventId: null,
      participantId: scanner,
      dedupKey: `${KEY_PREFIX}${identifier}|${scanner}|${code}|${today}`,
    }));
    const inserted = await this.alerts.raise(raised);
    if (room >= codes.length) return;
    const windowEnd = new Date(windowStart.getTime() + ALERT_WINDOW_MS);
    await this.alerts.raise([
      {
        code: 'VERIFICATION_FLOOD',
        severity: 'CRITICAL',
        message: `${scanner} reached ${used + inserted.length} COUNTERFEIT verification alerts since ${windowStart.toISOString()} (at most ${ALERT_BUDGET} per ${ALERT_WINDOW_MS / 60_000} minutes): its failed verifications raise no alert until ${windowEnd.toISOString()}`,
        identifier: null,
        eventId: null,
        participantId: scanner,
        dedupKey: `verify-flood|${scanner}|${windowStart.toISOString()}`,
      },
    ]);
  }
}
