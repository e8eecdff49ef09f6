module.exports = require('../../webpack.node-app')(__dirname, 'dist/apps/panel-sim');
