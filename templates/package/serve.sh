#!/bin/sh
# The container's command, written by `advisor package`: `advisor serve`
# with the advised workers and threads, listening on 0.0.0.0:$PORT.
set -eu
# SageMaker starts the container as `docker run IMAGE serve`.
if [ "${1:-}" = serve ]; then shift; fi
exec {{SERVE_COMMAND}} "$@"
