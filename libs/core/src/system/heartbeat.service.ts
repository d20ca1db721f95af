import { Injectable } from '@nestjs/common';
import { SystemSettingRepository } from './system-setting.repository';

const KEY = 'worker.heartbeat';

export interface Heartbeat {
  readonly at: string;
  readonly pid: number;
}

/** Workers beat through the queue; /health reports the last beat, so a stalled worker shows. */
@Injectable()
export class HeartbeatService {
  constructor(private readonly settings: SystemSettingRepository) {}

  async beat(now = new Date()): Promise<Heartbeat> {
    const beat = { at: now.toISOString(), pid: process.pid };
    await this.settings.put(KEY, JSON.stringify(beat));
    return beat;
  }

  async last(): Promise<Heartbeat | undefined> {
    const raw = await this.settings.get(KEY);
    return raw === undefined ? undefined : (JSON.parse(raw) as Heartbeat);
  }
}
