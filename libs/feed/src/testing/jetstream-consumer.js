/* global process, Buffer */
/**
 * A downstream service reading the feed from NATS JetStream, as a process of its own that a
 * test may kill: a durable pull consumer (explicit acks, one message in flight, so that it
 * sees the log's order even across redeliveries) that writes each message's body as a line to
 * a file, synchronously, and only then acknowledges it. Killed anywhere, it loses nothing: what
 * it had not acknowledged comes again (after `ack_wait`), and the reader dedupes by id.
 *
 * node jetstream-consumer.js <servers> <stream> <durable name> <output file>
 */
const { appendFileSync } = require('node:fs');
const { AckPolicy, connect, DeliverPolicy, nanos } = require('nats');

async function main() {
  const [servers, stream, durable, output] = process.argv.slice(2);
  const connection = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const manager = await connection.jetstreamManager();
  await manager.consumers.info(stream, durable).catch(() =>
    manager.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(1000),
      max_ack_pending: 1,
    }),
  );
  const consumer = await connection.jetstream().consumers.get(stream, durable);
  process.stdout.write('consuming\n');
  const messages = await consumer.consume({ max_messages: 1 });
  for await (const message of messages) {
    appendFileSync(output, `${Buffer.from(message.data).toString('utf8')}\n`);
    message.ack();
  }
}

main().catch((error) => {
  process.stderr.write(`consumer failed: ${error && error.stack}\n`);
  process.exit(1);
});
