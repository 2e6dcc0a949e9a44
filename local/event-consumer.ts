/**
 * The local event pipeline on its own (local/events.ts): `tsx local/event-consumer.ts` with the environment of the
 * service it follows (DYNAMODB_ENDPOINT, TABLE_NAME). `npm start` runs the same consumer in its own process; this
 * entry is for running it apart (and for the crash test, which kills it mid-batch and starts it again).
 */
const { EventConsumer } = await import('./events.js');
const consumer = new EventConsumer();
consumer.start();
process.stdout.write('event consumer started\n');
const stop = () => void consumer.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
