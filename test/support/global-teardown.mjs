// Stops the DynamoDB Local that global-setup started.
export default async function globalTeardown() {
  await globalThis.__dynamo?.stop();
}
