/** What a user types into the config dialogs' credential fields (flows keep it out of flows.json). */
export const CREDENTIALS: Record<string, Record<string, string>> = {
  'jointech-account': { username: 'user', password: 'fe01ce2a7fbac8fafaed7c982a04e229' },
  'eztcloud-project': { projectKey: 'PR_saved', projectSecret: 'secret' },
  'iotos-connection': { username: 'gateway', password: 'secret' },
  'aliyun-living-account': { username: 'user', password: 'secret' },
  'aliyun-amqp-connection': { keyId: 'LTAI5saved', secret: 'secret' },
};
