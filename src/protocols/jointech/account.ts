/** The Jointech push account settings and the password form the platform expects. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { topicSegment } from '../mqtt-topic';

export const JointechAccountConfig = z.object({
  accessKey: z.string().trim().min(1, 'accessKey is empty').refine((v) => {
    try {
      topicSegment(v, 'accessKey');
      return true;
    } catch {
      return false;
    }
  }, 'accessKey must not contain "+", "#", "/" or spaces'),
  /** "md5": the password field holds the MD5-32 hex the console shows; "plain": the login password. */
  passwordMode: z.enum(['md5', 'plain']).default('md5'),
  qos: z.coerce.number().pipe(z.union([z.literal(0), z.literal(1)])).default(1),
});
export type JointechAccountConfig = z.infer<typeof JointechAccountConfig>;

/** The platform expects the MD5 of the login password as 32 lower-case hex characters. */
export function platformPassword(password: string, mode: 'md5' | 'plain'): string {
  return mode === 'plain' ? createHash('md5').update(password, 'utf8').digest('hex') : password.trim().toLowerCase();
}
