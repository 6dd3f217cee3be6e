import assert from 'node:assert/strict';
import { redact } from '../../src/lib/redact';

describe('redact', () => {
  it('removes secrets, tokens and e-mail addresses at any depth', () => {
    const dump = redact({
      housing: { name: 'Maison', owner: 'jean.dupont@example.fr', user_id: 'u1' },
      AccessToken: 'abc',
      nested: [{ password: 'p', note: 'write to jean@example.fr please', refresh_token: 'r' }],
      jwt: 'eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl',
      temperature: 20.5,
    });
    const text = JSON.stringify(dump);
    for (const secret of ['jean.dupont@example.fr', 'jean@example.fr', '"abc"', '"p"', '"r"', 'eyJhbGciOi']) {
      assert.ok(!text.includes(secret), `${secret} leaked`);
    }
    assert.match(text, /"temperature":20.5/);
    assert.match(text, /"name":"Maison"/);
  });
});
