/**
 * Secrets stay secret: every config node of the package is deployed in a plain Node-RED runtime
 * with distinctive passwords, keys and header values, and made to fail (refused logins, a wrong
 * AMQP signature, bad webhook requests). None of those values may then appear in the flow file,
 * the admin API's flow export, the log, any node status or any error.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRuntime, type BenchRuntime } from '../../bench/runtime';
import { startAmqpPeer, type AmqpPeer } from '../support/amqp-peer';
import { startAedes } from '../../tools/broker';
import { sleep, waitFor } from '../support/red';

const root = join(__dirname, '..', '..', '..');
// The bad webhook request below is logged on purpose; the capture handler still sees it.
process.env.BENCH_LOG ??= 'fatal';
const SECRETS = {
  jointech: 'S3cr3t-jointech-login',
  iotos: 'S3cr3t-iotos-password',
  eztcloud: 'S3cr3t-eztcloud-project',
  living: 'S3cr3t-living-password',
  amqp: 'S3cr3t-amqp-accesskey',
  header: 'S3cr3t-webhook-header',
};
// The Jointech node hashes a login password to the MD5 the platform expects: that is secret too.
const FORBIDDEN = [...Object.values(SECRETS), createHash('md5').update(SECRETS.jointech).digest('hex')];

describe('secrets never leave the credentials store', function () {
  this.timeout(30000);
  let red: BenchRuntime;
  let broker: Awaited<ReturnType<typeof startAedes>>;
  let peer: AmqpPeer;
  const logs: string[] = [];
  const statuses: string[] = [];

  before(async () => {
    broker = await startAedes({ auth: { username: 'someone', password: 'the-right-one' } });
    peer = await startAmqpPeer({ authMode: 'aksign', keyId: 'LTAIright', secret: 'right-secret', consumerGroupId: 'G' });
    // Errors are logged as Error objects: keep their message and stack, not JSON's "{}".
    red = await startRuntime(root, {
      admin: true,
      onLog: (r) => logs.push(JSON.stringify({ ...r, msg: r.msg instanceof Error ? `${r.msg.message}\n${r.msg.stack ?? ''}` : r.msg })),
    });
    red.onStatus((e) => statuses.push(JSON.stringify(e.status)));
  });
  after(async () => {
    await red?.stop();
    await peer?.close();
    await broker?.close();
  });

  it('keeps them out of the flow file, the flow export, logs, statuses and errors', async () => {
    const connection = { url: broker.url, reconnectMinMs: 200, reconnectMaxMs: 400 };
    await red.deploy([
      { id: 'jt', type: 'jointech-account', accessKey: 'key1', passwordMode: 'plain', connection },
      { id: 'jtin', type: 'jointech-in', account: 'jt', mode: 'mqtt', wires: [[]] },
      { id: 'hook', type: 'jointech-in', mode: 'webhook', path: '/secret-test', headerName: 'X-Push-Token', wires: [[]] },
      { id: 'io', type: 'iotos-connection', gatewayId: '171', deviceId: '401', connection },
      { id: 'iodev', type: 'iotos-device', connection: 'io', points: [{ name: 'switch', id: 1964, oid: '179f' }], wires: [[], [], []] },
      { id: 'ez', type: 'eztcloud-project', localTest: true, connection },
      { id: 'ezin', type: 'eztcloud-in', project: 'ez', wires: [[]] },
      { id: 'lv', type: 'aliyun-living-account', productKey: 'pk1', deviceName: 'app1', connection },
      { id: 'lvin', type: 'aliyun-living-in', account: 'lv', wires: [[], []] },
      { id: 'amqp', type: 'aliyun-amqp-connection', host: '127.0.0.1', port: peer.port, consumerGroupId: 'G', clientId: 'c1', reconnectMinMs: 200, reconnectMaxMs: 400, tls: 'tls' },
      { id: 'tls', type: 'tls-config', ca: peer.caFile, cert: '', key: '', verifyservercert: true },
      { id: 'amqpin', type: 'aliyun-amqp-in', connection: 'amqp', wires: [[]] },
    ], {
      jt: { username: 'someone', password: SECRETS.jointech },
      hook: { headerValue: SECRETS.header },
      io: { username: 'someone', password: SECRETS.iotos },
      ez: { projectKey: 'PR_x', projectSecret: SECRETS.eztcloud },
      lv: { username: 'someone', password: SECRETS.living },
      amqp: { keyId: 'LTAIright', secret: SECRETS.amqp },
    });

    // Each refused login and each bad request gets logged and shown.
    await waitFor(() => peer.logins.length >= 2, 'AMQP logins refused', 10_000);
    assert.equal(peer.logins[0]!.reason, 'signature', 'the AMQP secret was used to sign');
    const webhook = `${red.adminUrl}/secret-test`;
    assert.equal((await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-push-token': 'wrong' }, body: '{}' })).status, 401);
    assert.equal((await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-push-token': SECRETS.header }, body: '{"assetId": ' })).status, 400);
    await sleep(1500);
    assert.ok(statuses.some((s) => /not authori[sz]ed|bad user name or password/i.test(s)), `MQTT logins were refused: ${statuses.slice(0, 5).join(' ')}`);
    assert.ok(logs.some((l) => /fits no Jointech data type|not valid JSON/.test(l)), 'the bad webhook body was logged');

    const exported = await (await fetch(`${red.adminUrl}/flows`)).text();
    const flowFile = readFileSync(join(red.userDir, 'flows.json'), 'utf8');
    const credFile = readFileSync(join(red.userDir, 'flows_cred.json'), 'utf8');
    assert.ok(credFile.includes(SECRETS.amqp), 'the credentials file holds them (so they were set)');
    for (const [where, text] of Object.entries({ 'flow export (GET /flows)': exported, 'flows.json': flowFile, log: logs.join('\n'), statuses: statuses.join('\n') })) {
      for (const secret of FORBIDDEN) assert.ok(!text.includes(secret), `"${secret}" appears in the ${where}`);
    }
  });
});
