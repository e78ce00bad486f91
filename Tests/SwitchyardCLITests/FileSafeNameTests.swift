import Testing
@testable import switchyard

@Suite struct FileSafeNameTests {
    @Test func unsafeCharactersBecomeUnderscores() {
        #expect(FileSafeName.make("output/0:1") == "output_0_1")
        #expect(FileSafeName.make("logits.softmax-2_x") == "logits.softmax-2_x")
        #expect(FileSafeName.make("a b\\c*d?é") == "a_b_c_d__")
    }

    @Test func namesThatAreNotFileNamesAreEscaped() {
        #expect(FileSafeName.make("") == "_")
        #expect(FileSafeName.make(".") == "_.")
        #expect(FileSafeName.make("..") == "_..")
        #expect(FileSafeName.make("../etc") == ".._etc")
    }

    @Test func collidingNamesGetSuffixes() {
        #expect(FileSafeName.unique(["a/b", "a:b", "a_b", "c"]) == ["a_b", "a_b_2", "a_b_3", "c"])
        #expect(FileSafeName.unique(["x", "x_2", "x"]) == ["x", "x_2", "x_3"])
    }
}
