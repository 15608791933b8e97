import { describe, expect, it } from 'vitest';
import { looksLikeOwner } from '../../../src/process/init/owner-guess.js';

describe('looksLikeOwner', () => {
  it.each(['userId', 'user_id', 'user-id', 'UserID', 'uid', 'user', 'owner_id', 'ownerId', 'account_id', 'accountId', 'username', 'friend_user_id', 'member_id', 'customerUuid', 'sub'])(
    '%s looks like an owner',
    (name) => expect(looksLikeOwner(name)).toBe(true),
  );

  it.each(['id', 'team_id', 'project_id', 'task_id', 'invoice_id', 'users', 'subscription_id', 'userland', 'build', 'slug'])('%s does not', (name) =>
    expect(looksLikeOwner(name)).toBe(false),
  );
});
