/** The hooks every node suite needs: a Node-RED test runtime and a real broker around the suite. */
import { startTestBroker, type TestBroker } from './broker';
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
