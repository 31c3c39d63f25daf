/**
 * IOTOS device identity (IOTOS MQTT document): the platform's integer ids and the MQTT client id
 * a device logs in with.
 */
import { z } from 'zod';

/**
 * Gateway, device and data-point ids are the console's integer sequence numbers ("INT" in the
 * document's glossary): a number, or a text of decimal digits. An empty text or hex is refused
 * rather than read as 0 or as another id.
 */
export const PlatformId = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
  z.number({ message: 'must be a whole number written in decimal digits' }).int().nonnegative().max(Number.MAX_SAFE_INTEGER),
);

export function clientIdFor(gatewayId: number, deviceId: number): string {
  return `device_${gatewayId}_${deviceId}`;
}
