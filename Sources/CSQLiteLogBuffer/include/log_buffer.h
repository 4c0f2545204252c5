#ifndef HANDOFF_LOG_BUFFER_H
#define HANDOFF_LOG_BUFFER_H

/// The name of the SQLite VFS that gathers a connection's write-ahead-log writes into one write per sync.
#define HANDOFF_LOG_BUFFER_VFS "handoff-log-buffer"

/// Registers the VFS named HANDOFF_LOG_BUFFER_VFS (not as the default), wrapping the default VFS.
/// Safe to call more than once and from several threads: later calls return the first one's result.
/// Returns SQLITE_OK, or SQLite's error code when it could not be registered.
int handoff_log_buffer_register(void);

#endif
