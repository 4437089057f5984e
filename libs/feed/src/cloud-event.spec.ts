import type { RecordedEvent } from '@ledger/event-store';
import { FEED_FIELDS, toCloudEvent } from './cloud-event';

const recorded = (overrides: Partial<RecordedEvent>): RecordedEvent => ({
  streamName: 'learner-ada-quinn',
  id: '0b6c7e1e-5f1a-4a53-9d1c-4d2b8b1f6a11',
  type: 'QuestionResearched',
  schemaVersion: 1,
  data: {},
  metadata: { actor: 'service:test', correlationId: 'corr-1', causationId: 'cmd-1' },
  revision: 4n,
  position: 9007199254740993n,
  recordedAt: new Date('2026-12-01T10:00:00Z'),
  hash: 'ab',
  ...overrides,
});

describe('a ledger event as a CloudEvent', () => {
  it('carries the CloudEvents 1.0 attributes: the event id, its type and version, its stream, its position as a string', () => {
    const event = toCloudEvent(
      recorded({
        data: {
          researchId: 'r1',
          occurredAt: '2026-12-01T09:00:00Z',
          earnedYear: 2026,
          twelfths: '6',
        },
      }),
      'urn:cme-ledger',
    );
    expect(event).toEqual({
      specversion: '1.0',
      id: '0b6c7e1e-5f1a-4a53-9d1c-4d2b8b1f6a11',
      source: 'urn:cme-ledger',
      type: 'cme.ledger.QuestionResearched.v1',
      subject: 'learner-ada-quinn',
      time: '2026-12-01T10:00:00.000Z',
      datacontenttype: 'application/json',
      ledgerposition: '9007199254740993',
      ledgerrevision: '4',
      correlationid: 'corr-1',
      data: {
        researchId: 'r1',
        occurredAt: '2026-12-01T09:00:00Z',
        earnedYear: 2026,
        twelfths: '6',
      },
    });
  });

  it('leaves out personal data: the encrypted profile, free-text reasons, fields it does not know', () => {
    const profile = toCloudEvent(
      recorded({
        type: 'LearnerProfileUpdated',
        data: {
          occurredAt: '2026-12-01T09:00:00Z',
          profileVersion: 2,
          clinicalRole: 'physician',
          country: 'US',
          boards: ['ABIM'],
          licenseStates: ['CA'],
          personalEncrypted: 'v1:cipher-text',
          firstName: 'Ada',
        },
      }),
      's',
    );
    expect(profile.data).toEqual({
      occurredAt: '2026-12-01T09:00:00Z',
      profileVersion: 2,
      clinicalRole: 'physician',
      country: 'US',
      boards: ['ABIM'],
      licenseStates: ['CA'],
    });
    const failed = toCloudEvent(
      recorded({
        streamName: 'board-submission-s1',
        type: 'BoardSubmissionFailed',
        data: {
          submissionId: 's1',
          learnerId: 'ada-quinn',
          claimId: 'c1',
          board: 'ABIM',
          occurredAt: '2026-12-01T09:00:00Z',
          attempt: 1,
          reason: 'ABIM has no diplomate with ABIM ID 000123',
          retryable: false,
        },
      }),
      's',
    );
    expect(JSON.stringify(failed)).not.toContain('000123');
    expect(failed.data).toMatchObject({ retryable: false, attempt: 1, learnerId: 'ada-quinn' });
    const erased = toCloudEvent(
      recorded({
        type: 'PersonalDataErased',
        data: { occurredAt: 'x', reason: 'Ada Quinn asked' },
      }),
      's',
    );
    expect(erased.data).toEqual({ occurredAt: 'x' });
  });

  it('sends no data for a type this version does not know', () => {
    const event = toCloudEvent(recorded({ type: 'SomethingNew', data: { name: 'Ada' } }), 's');
    expect(event.type).toBe('cme.ledger.SomethingNew.v1');
    expect(event).not.toHaveProperty('data');
  });

  it('lets out no field named like personal data for any event type', () => {
    for (const fields of Object.values(FEED_FIELDS))
      for (const field of fields)
        expect(field).not.toMatch(/personal|name|birth|npi|license(?!States)|reason/i);
  });
});
