/**
 * The peer of bench/peer: the research command (R1: a clinical question researched, recorded
 * once per research id) as an application built on Emmett 0.42.0 would serve it over HTTP, on
 * Emmett's PostgreSQL event store (@event-driven-io/emmett-postgresql).
 *
 * Emmett's Express integration, @event-driven-io/emmett-expressjs, has no 0.42.0 release on
 * the registry (its versions are 0.20.0 and 0.35.0-alpha.2, which require an older Emmett and
 * Express 4), so this app is put together the way that package's `getApplication` and `on`
 * put one together: an Express application with the JSON and URL-encoded body parsers, one
 * router holding the API's routes, each route an async function of the request that returns
 * a function setting the response (201 with a body, or a problem document), and a last
 * middleware that answers an error with an application/problem+json document. Express is the
 * 5.x the API itself runs on (through @nestjs/platform-express).
 *
 * The work per request is the same as the API's research command: validate the body, read the
 * learner's stream and fold it (Emmett's CommandHandler), decide (nothing new when the research
 * id is already recorded: idempotent on it), and append a QuestionResearched event with the
 * stream version read as the expected version (optimistic concurrency; Emmett's handler reads
 * again and retries on a conflict, up to 5 attempts as our store does).
 *
 * Run by bench/peer with DATABASE_URL, PORT and DATABASE_POOL_SIZE.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { Pool } from 'pg';
import { CommandHandler, type Event } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { dumbo } from '@event-driven-io/dumbo';

type QuestionResearched = Event<
  'QuestionResearched',
  { researchId: string; occurredAt: string; earnedYear: number; twelfths: string }
>;

interface LearnerState {
  researched: Set<string>;
}

const handle = CommandHandler<LearnerState, QuestionResearched>({
  initialState: () => ({ researched: new Set() }),
  evolve: (state, event) => {
    if (event.type === 'QuestionResearched') state.researched.add(event.data.researchId);
    return state;
  },
  mapToStreamId: (learnerId) => `learner-${learnerId}`,
  retry: { onVersionConflict: 5 },
});

type HttpResponse = (response: Response) => void;
const on =
  (handler: (request: Request) => Promise<HttpResponse>) =>
  async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    try {
      (await handler(request))(response);
    } catch (error) {
      next(error);
    }
  };
const problem =
  (status: number, detail: string): HttpResponse =>
  (response) => {
    response.status(status).type('application/problem+json').json({ status, detail });
  };

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: the peer needs its PostgreSQL database');
  const pool = new Pool({
    connectionString: url,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 20),
    application_name: 'emmett-peer',
  });
  pool.on('error', () => undefined);
  const store = getPostgreSQLEventStore(url, {
    connectionOptions: { dumbo: dumbo({ connectionString: url, pool }) },
  });
  await store.schema.migrate();

  const router = Router();
  router.post(
    '/v1/learners/:learnerId/questions-researched',
    on(async (request) => {
      const learnerId = String(request.params.learnerId);
      const body = (request.body ?? {}) as { researchId?: unknown; occurredAt?: unknown };
      if (typeof body.researchId !== 'string' || body.researchId.trim() === '')
        return problem(400, 'researchId: a non-empty string is required');
      const occurredAt = typeof body.occurredAt === 'string' ? new Date(body.occurredAt) : null;
      if (!occurredAt || Number.isNaN(occurredAt.getTime()))
        return problem(400, 'occurredAt: an ISO 8601 instant is required');
      const researchId = body.researchId;
      const result = await handle(store, learnerId, (state) =>
        state.researched.has(researchId)
          ? []
          : [
              {
                type: 'QuestionResearched',
                data: {
                  researchId,
                  occurredAt: occurredAt.toISOString(),
                  earnedYear: occurredAt.getUTCFullYear(),
                  twelfths: '6',
                },
              },
            ],
      );
      const recorded = result.newEvents.length > 0;
      return (response) => {
        response.status(recorded ? 201 : 200).json({
          learnerId,
          recorded,
          streamVersion: String(result.nextExpectedStreamVersion),
        });
      };
    }),
  );

  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended: true }));
  app.get('/health', (_request, response) => void response.json({ status: 'ok' }));
  app.use(router);
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    problem(500, error instanceof Error ? error.message : String(error))(response);
  });

  const server = app.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
  const stop = (): void => {
    server.close();
    void store.close().finally(() => pool.end().finally(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emmett peer: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
