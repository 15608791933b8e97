import { describe, expect, it } from 'vitest';
import { translatePath } from '../../../src/process/init/path-template.js';

describe('translatePath', () => {
  it('turns whole-segment {params} into :params, under the base path', () => {
    expect(translatePath('/api/{user_id}/tasks/{id}', '')).toMatchObject({ ok: true, template: '/api/:user_id/tasks/:id', params: ['user_id', 'id'] });
    expect(translatePath('/status', '/v2')).toMatchObject({ ok: true, template: '/v2/status', params: [] });
    expect(translatePath('/', '/v2')).toMatchObject({ ok: true, template: '/v2/' });
    expect(translatePath('/items/', '')).toMatchObject({ ok: true, template: '/items/' });
  });

  it('refuses what a template cannot say, with the reason', () => {
    const reasons = (path: string, base = '') => {
      const t = translatePath(path, base);
      return t.ok ? [] : t.reasons;
    };
    expect(reasons('/files/{name}.json')[0]).toContain('mixes a parameter with other text');
    expect(reasons('/a/:b')[0]).toContain('starts with ":"');
    expect(reasons('/users/{user.id}')[0]).toContain('as the gateway template /users/:user.id');
    expect(reasons('no-slash')[0]).toContain('does not start with "/"');
    expect(reasons('/ok', '/base%20path')[0]).toContain('percent-encoding');
  });
});
