// The floor of bench/subscription: a bare Node HTTP server answering GET /sub/:token with one indexed SELECT on the
// same database, nothing else (no framework, no headers beyond the body's). Started as its own process.
const http = require('node:http');
const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const server = http.createServer(async (request, response) => {
  const token = (request.url || '').slice('/sub/'.length);
  try {
    const { rows } = await pool.query('SELECT uuid, used_bytes FROM vpn_users WHERE subscription_token = $1', [token]);
    response.writeHead(rows.length ? 200 : 404, { 'Content-Type': 'text/plain' });
    response.end(rows.length ? Buffer.from(`vless://${rows[0].uuid}@host:443\n`).toString('base64') : '');
  } catch (error) {
    response.writeHead(500);
    response.end(String(error));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send && process.send('ready'));
