namespace Dcgan.Tests.Golden;

public class GoldenFolderTests
{
    [Fact]
    public void Folder_holds_cases()
    {
        string folder = GoldenCase.Folder;
        Assert.True(GoldenCase.Files(folder).Any(), $"No golden case (*.json) in {folder}; set DCGAN_GOLDEN_DIR to a folder of dcgan-golden/1 files.");
    }
}
