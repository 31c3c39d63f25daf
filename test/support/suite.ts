/** The hooks every node suite needs: a Node-RED test runtime and a real broker around the suite. */
import { startTestBroker, type TestBroker } from '../../tools/broker';
import { helper } from './red';

export function withRedAndBroker(): { broker: TestBroker } {
  const ctx = {} as { broker: TestBroker };
  before(async () => {
    await new Promise<void>((r) => helper.startServer(r));
    ctx.broker = await startTestBroker();
  });
  after(async () => {
    await ctx.broker?.close();
    await new Promise<void>((r) => helper.stopServer(r));
  });
  afterEach(() => helper.unload());
  return ctx;
}

/**
 * A Node-RED test runtime around the suite, for suites whose tests each start their own broker
 * (restartable, with a password, Mosquitto): `use` closes it after the test.
 */
export function withRedAndTestBrokers(): { use<B extends TestBroker>(starting: Promise<B>): Promise<B> } {
  const started: TestBroker[] = [];
  before(async () => { await new Promise<void>((r) => helper.startServer(r)); });
  after(async () => { await new Promise<void>((r) => helper.stopServer(r)); });
  afterEach(async () => {
    await helper.unload();
    for (const broker of started.splice(0)) await broker.close();
  });
  return {
    async use(starting) {
      const broker = await starting;
      started.push(broker);
      return broker;
    },
  };
}
