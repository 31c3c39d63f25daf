/**
 * IOTOS MQTT topics (IOTOS MQTT document): uplink and its per-data-point results, downlink control
 * messages and the device's replies.
 */

export const uplinkTopic = (gw: number, dev: number) => `$IOTOS/device/platform/update/${gw}/${dev}`;
export const uplinkResultFilter = (gw: number, dev: number) => `${uplinkTopic(gw, dev)}/+/result`;
export const downlinkFilter = (gw: number, dev: number) => `$IOTOS/device/endpoint/update/${gw}/${dev}/+`;
export const downlinkResultTopic = (gw: number, dev: number, dataId: number) => `$IOTOS/device/endpoint/update/${gw}/${dev}/${dataId}/result`;

/** The data-point id from `.../{dataId}` (downlink) or `.../{dataId}/result` (uplink result). */
export function dataIdFromTopic(topic: string): number | undefined {
  const parts = topic.split('/');
  const raw = parts[parts.length - 1] === 'result' ? parts[parts.length - 2] : parts[parts.length - 1];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}
