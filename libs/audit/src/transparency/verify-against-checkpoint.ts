import type { EventStore } from '@ledger/event-store';
import { DEFAULT_PAGE_SIZE, readLogPages } from '../log-reader';
import { checkpointProblem, eventLeafHash, type SignedCheckpoint } from './checkpoint';
import type { LogTree, TreeLeaf } from './log-tree';
import { TreeFrontier } from './merkle';

/** The first event of the log that is not the one the checkpoint signed. */
export interface WrongEvent {
  leafIndex: number;
  /** `altered`: the same event with other content or link; `missing`: another event, or none, is where it was. */
  kind: 'altered' | 'missing';
  /** What the signed tree holds at that leaf (from the database's copy of the tree). */
  expected?: { eventId: string; streamName: string; revision: string; position: string };
  /** What the log holds there now. */
  found?: { eventId: string; streamName: string; revision: string; position: string };
  detail: string;
}

export interface CheckpointVerification {
  ok: boolean;
  checkpoint: Omit<SignedCheckpoint, 'signature' | 'version'>;
  /** Undefined when the signature verifies; otherwise why not. */
  signatureProblem?: string;
  eventsRead: number;
  /** Root of the log's first treeSize events as read now (hex). */
  computedRoot: string;
  /**
   * Whether the database's copy of the tree still hashes to the signed root. When it does, its
   * leaves are the signed history and `firstWrongEvent` names exactly the first event changed.
   */
  treeCopyIntact: boolean;
  firstWrongEvent?: WrongEvent;
  /** Of the earlier signed checkpoints given, the first the log no longer matches. */
  firstFailingCheckpoint?: { treeSize: number; issuedAt: string };
  detail: string;
}

const described = (l: TreeLeaf) => ({
  eventId: l.eventId,
  streamName: l.streamName,
  revision: l.revision.toString(),
  position: l.position.toString(),
});

/**
 * Recomputes the Merkle root of the log's first `treeSize` events (read through the port, page
 * by page, in constant memory) and compares it with a signed checkpoint. Alongside, it compares
 * each event's leaf with the database's copy of the tree, to name the first wrong event: an
 * event rewritten (even with its links recomputed), removed from a stream's end with its head
 * fixed, or a stream removed whole all change the leaves from that event on.
 */
export async function verifyAgainstCheckpoint(
  store: Pick<EventStore, 'readAll'>,
  tree: Pick<LogTree, 'leaves'>,
  checkpoint: SignedCheckpoint,
  publicKeyPem: string,
  options: { pageSize?: number; earlierCheckpoints?: readonly SignedCheckpoint[] } = {},
): Promise<CheckpointVerification> {
  const signatureProblem = checkpointProblem(checkpoint, publicKeyPem);
  const size = checkpoint.treeSize;
  const logTree = new TreeFrontier(0);
  const copy = new TreeFrontier(0);
  const milestones = (options.earlierCheckpoints ?? [])
    .filter((c) => c.treeSize > 0 && c.treeSize < size && !checkpointProblem(c, publicKeyPem))
    .sort((a, b) => a.treeSize - b.treeSize);
  let firstWrong: WrongEvent | undefined;
  let firstFailing: CheckpointVerification['firstFailingCheckpoint'];
  const atMilestone = (): void => {
    const m = milestones[0];
    if (m && logTree.size === m.treeSize) {
      milestones.shift();
      if (!firstFailing && logTree.root().toString('hex') !== m.rootHash) {
        firstFailing = { treeSize: m.treeSize, issuedAt: m.issuedAt };
      }
    }
  };
  // The database's leaves of each page are read while the page before is hashed, as the log's
  // pages are (readLogPages): the reads overlap the hashing instead of adding to it.
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const readLeaves = (from: number): Promise<TreeLeaf[]> => {
    const leaves = tree.leaves(from, Math.min(size, from + pageSize));
    leaves.catch(() => undefined);
    return leaves;
  };
  let leavesAhead = size > 0 ? readLeaves(0) : undefined;
  for await (const take of readLogPages(store, { pageSize, maxEvents: size })) {
    const from = logTree.size;
    const stored = (await leavesAhead) ?? [];
    leavesAhead = from + take.length < size ? readLeaves(from + take.length) : undefined;
    take.forEach((e, i) => {
      const hash = eventLeafHash(e);
      logTree.add(hash);
      atMilestone();
      const leaf = stored[i];
      if (leaf) copy.add(leaf.hash);
      if (firstWrong || (leaf && leaf.eventId === e.id && leaf.hash.equals(hash))) return;
      const found = {
        eventId: e.id,
        streamName: e.streamName,
        revision: e.revision.toString(),
        position: e.position.toString(),
      };
      firstWrong =
        leaf && leaf.eventId === e.id
          ? {
              leafIndex: from + i,
              kind: 'altered',
              expected: described(leaf),
              found,
              detail: `event ${e.id} (${e.streamName} revision ${e.revision}) is not the event signed at leaf ${from + i}: its content or its link was rewritten`,
            }
          : {
              leafIndex: from + i,
              kind: 'missing',
              ...(leaf ? { expected: described(leaf) } : {}),
              found,
              detail: leaf
                ? `leaf ${from + i} was event ${leaf.eventId} (${leaf.streamName} revision ${leaf.revision}); the log now has ${e.id} (${e.streamName} revision ${e.revision}) there: ${leaf.eventId} was removed or moved`
                : `leaf ${from + i}: the database's copy of the tree has no leaf there`,
            };
    });
  }
  // Stored leaves past what the log still holds: the log lost events at its end.
  if (logTree.size < size) {
    const rest = await tree.leaves(logTree.size, size);
    for (const leaf of rest) copy.add(leaf.hash);
    const gone = rest[0];
    firstWrong ??= {
      leafIndex: logTree.size,
      kind: 'missing',
      ...(gone ? { expected: described(gone) } : {}),
      detail: gone
        ? `the log ends after ${logTree.size} events, the checkpoint signed ${size}: event ${gone.eventId} (${gone.streamName} revision ${gone.revision}) and the ${size - logTree.size - 1} after it were removed`
        : `the log ends after ${logTree.size} events, the checkpoint signed ${size}`,
    };
  }
  const computedRoot = logTree.root().toString('hex');
  const treeCopyIntact = copy.size === size && copy.root().toString('hex') === checkpoint.rootHash;
  const matches = logTree.size === size && computedRoot === checkpoint.rootHash;
  const ok = matches && signatureProblem === undefined;
  const summary = {
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    position: checkpoint.position,
    issuedAt: checkpoint.issuedAt,
    keyId: checkpoint.keyId,
  };
  return {
    ok,
    checkpoint: summary,
    ...(signatureProblem ? { signatureProblem } : {}),
    eventsRead: logTree.size,
    computedRoot,
    treeCopyIntact,
    ...(matches ? {} : firstWrong ? { firstWrongEvent: firstWrong } : {}),
    ...(firstFailing ? { firstFailingCheckpoint: firstFailing } : {}),
    detail: signatureProblem
      ? `the checkpoint does not verify: ${signatureProblem}`
      : matches
        ? `the log's first ${size} events are the history signed at ${checkpoint.issuedAt} (root ${checkpoint.rootHash})`
        : `the log differs from the history signed at ${checkpoint.issuedAt}` +
          (firstWrong ? `: ${firstWrong.detail}` : '') +
          (treeCopyIntact
            ? ''
            : ' (the database copy of the tree was altered as well: the event named is where the log and that copy first differ; the first failing checkpoint bounds where the tampering starts)'),
  };
}
