// Empty, as the placeholder it stands in for: require('fs') resolves to Node's core module.
