/**
 * jointech-in's webhook in a plain Node-RED process: under Node-RED's default settings, where the
 * admin app at `/` (with its JSON parser) sits in front of the nodes' routes, with the node root
 * moved behind that admin app, and with both roots moved apart.
 */
import { describeWebhookCases } from '../support/webhook-cases';

describeWebhookCases("Node-RED's default settings (admin and nodes at /)", {});
describeWebhookCases('httpNodeRoot /hooks behind the admin app at /', { httpNodeRoot: '/hooks' });
describeWebhookCases('httpAdminRoot /admin, httpNodeRoot /hooks', { httpAdminRoot: '/admin', httpNodeRoot: '/hooks' });
