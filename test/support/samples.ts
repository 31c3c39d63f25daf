/** The sample messages of the platform documents, shared by tests, the demo simulator and benches. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

export interface JointechSamples {
  webhook: Record<'location' | 'alarm' | 'event' | 'cmd' | 'sublock', Record<string, unknown>> & { ksInfo: string };
  mqtt: Record<string, { topicDevice: string; topicSubLock?: string; payload: Record<string, unknown> }>;
}

export const jointechSamples = JSON.parse(readFileSync(join(root, 'scripts', 'samples', 'jointech.json'), 'utf8')) as JointechSamples;
