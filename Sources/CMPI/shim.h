#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H
/* DiDLab's window on Open MPI (libopenmpi-dev, found through pkg-config `ompi-c`): the calls the
   didlab-mpi executable makes, as static inline wrappers. In Open MPI, MPI_COMM_WORLD, MPI_INT,
   MPI_BYTE and MPI_INFO_NULL are macros over C globals, which Swift 6 cannot reach (and would
   refuse as not concurrency-safe): every wrapper works on MPI_COMM_WORLD itself. Each returns the
   MPI error code (MPI_SUCCESS is 0); cmpi_error_string turns one into words. Nothing else lives here. */
#include <mpi.h>

/* MPI_Init without arguments (allowed since MPI-2); errors on the world communicator are returned
   to the caller instead of aborting the job, so that each failure becomes one line on stderr. */
static inline int cmpi_init(void) {
    int code = MPI_Init(NULL, NULL);
    if (code != MPI_SUCCESS) return code;
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

static inline int cmpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
static inline int cmpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

/* The number of ranks on this rank's node (those that can share memory with it). */
static inline int cmpi_local_size(int *size) {
    MPI_Comm local;
    int code = MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
    if (code != MPI_SUCCESS) return code;
    code = MPI_Comm_size(local, size);
    int freed = MPI_Comm_free(&local);
    return code != MPI_SUCCESS ? code : freed;
}

/* Every rank's `value`, in rank order, into `values` (one int per rank) on every rank. */
static inline int cmpi_allgather_int(int value, int *values) {
    return MPI_Allgather(&value, 1, MPI_INT, values, 1, MPI_INT, MPI_COMM_WORLD);
}

/* Every rank's `value`, in rank order, into `values` on `root` (ignored elsewhere). */
static inline int cmpi_gather_int(int value, int *values, int root) {
    return MPI_Gather(&value, 1, MPI_INT, values, 1, MPI_INT, root, MPI_COMM_WORLD);
}

/* Every rank's `count` bytes, in rank order, into `receive` on `root` at `displacements`. */
static inline int cmpi_gatherv_bytes(const void *send, int count, void *receive, const int *counts,
                                     const int *displacements, int root) {
    return MPI_Gatherv(send, count, MPI_BYTE, receive, counts, displacements, MPI_BYTE, root, MPI_COMM_WORLD);
}

/* `root`'s `*value` into `*value` on every rank. */
static inline int cmpi_bcast_int(int *value, int root) { return MPI_Bcast(value, 1, MPI_INT, root, MPI_COMM_WORLD); }

/* Ends every process of the job; mpirun exits with a non-zero status. */
static inline void cmpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

static inline int cmpi_finalize(void) { return MPI_Finalize(); }

/* The words of an MPI error code into `buffer` (at least cmpi_max_error_string() bytes). */
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int cmpi_error_string(int code, char *buffer, int *length) { return MPI_Error_string(code, buffer, length); }

#endif
