/**
 * EZtCloud MQTT application API downlink: a command sent with the `command_send` action.
 */
import { z } from 'zod';
import { Params } from './messages';

export const CommandSend = z.object({
  method: z.string().trim().min(1, 'method is empty'),
  params: Params.default({}),
  id: z.union([z.number().int(), z.string().min(1)]),
});
export type CommandSend = z.infer<typeof CommandSend>;
