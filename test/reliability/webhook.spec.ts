/**
 * The webhook cases of the node suite, in a plain Node-RED process under Node-RED's default
 * settings, plus the default 10 s body deadline waited out in full.
 */
import { describeWebhookCases } from '../support/webhook-cases';

describeWebhookCases("Node-RED's default settings, default body deadline", {}, { defaultDeadline: true });
