#!/bin/sh
# Writes the three secrets docker/compose.yml mounts, once: docker/secrets/sealing-key (the
# ledger's Ed25519 seed, 64 hex characters), session-secret and admin-token (48 random
# bytes, base64). Never overwrites one that exists. Needs openssl.
set -eu
dir="$(dirname "$0")/secrets"
umask 077
mkdir -p "$dir"
chmod 700 "$dir"
write_secret() { # name, command printing the value
  if [ -s "$dir/$1" ]; then echo "kept $dir/$1"; return; fi
  sh -c "$2" > "$dir/$1"
  echo "wrote $dir/$1"
}
write_secret sealing-key 'openssl rand -hex 32'
write_secret session-secret 'openssl rand -base64 48'
write_secret admin-token 'openssl rand -base64 48'
# Compose mounts the files as they are; the image runs as uid 1000 (node), which must be
# able to read them. The folder (0700) keeps other users of this host out.
if [ "$(id -u)" = 1000 ]; then
  chmod 600 "$dir"/*
elif [ "$(id -u)" = 0 ]; then
  chown 1000:1000 "$dir"/* && chmod 600 "$dir"/*
else
  chmod 644 "$dir"/*
fi
echo "admin token: $dir/admin-token"
