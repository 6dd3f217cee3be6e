/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload (node -r) */
// Preload for `node-red-dev validate` without access to the Flow Library's catalogue host: answers
// https://catalogue.nodered.org/… with an empty catalogue, so P08 (similar names) and N01 (node
// types already taken) run but cannot find a clash. Every other request goes out unchanged.
const path = require('path');
const devDir = path.dirname(require.resolve('node-red-dev/package.json'));
const axios = require(require.resolve('axios', { paths: [devDir] }));
const get = axios.get.bind(axios);
axios.get = (url, ...rest) => (String(url).startsWith('https://catalogue.nodered.org/') ? Promise.resolve({ data: { modules: [] } }) : get(url, ...rest));
