import Foundation
import Lab

AllocatorTuning.keepFreedMemory()
BenchCommand.main()
